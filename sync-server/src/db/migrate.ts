import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any constant works; it only has to be the same for every server instance.
const MIGRATION_LOCK = 7_274_113;

/**
 * Applies the SQL files in `migrations/` in name order, each in its own
 * transaction, recording each so it is never applied twice. Several server
 * instances starting at once wait for each other on an advisory lock.
 */
export async function migrate(db: Db, log: Logger): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.query(await readFile(`${MIGRATIONS_DIR}${file}`, 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      log.info({ migration: file }, 'applied migration');
      applied.push(file);
    }
    // Fresh indexes and tables have no statistics yet; a plan made without them can
    // read every row of a site where an index would read a page.
    if (applied.length > 0) await tx.query('ANALYZE');
    return applied;
  });
}

/** Whether every migration file has been applied; used by the readiness probe. */
export async function isMigrated(db: Db): Promise<boolean> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
  const rows = await db
    .query<{ count: string }>('SELECT count(*) FROM schema_migrations WHERE name = ANY($1::text[])', [files])
    .catch(() => [{ count: '0' }]);
  return Number(rows[0]?.count) === files.length;
}
