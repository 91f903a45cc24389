import type { Logger } from 'pino';
import type { Db } from '#db/db';
import { tableOf } from '#sync/tables';

/** Any constant works; it only has to be the same for every server instance. */
const IDENTITY_LOCK = 7_274_121;

/**
 * How far each sequence moves when the database turns out to be restored.
 * `change_seq` positions are what device checkpoints count (docs/architecture.md
 * §3.2) and change-feed positions what feed readers' cursors count: nobody
 * reads them aloud, so the gap is far beyond any number of writes a clinic makes
 * between two backups. MRNs are read aloud, so their gap is only far beyond the
 * patients a clinic registers between two backups.
 */
const GAPS: readonly { sequence: string; gap: number }[] = [
  { sequence: `'change_seq'`, gap: 1_000_000_000 },
  { sequence: `pg_get_serial_sequence('change_feed', 'position')`, gap: 1_000_000_000 },
  { sequence: `'mrn_seq'`, gap: 100_000 },
];

/**
 * Run at every start, after the migrations. A database restored from a dump
 * holds sequences as they were at the dump, while devices hold checkpoints
 * (and feed readers cursors) from later. A write to the restored database
 * would take a `seq` a device already counted past, and that device would never
 * pull it; a new patient could get an MRN a lost patient still shows on a
 * device. So when the database is not the one this server last ran on, every
 * such sequence moves far ahead first. Several instances starting at once do
 * it once (advisory lock). Returns whether it did.
 *
 * The migrations record the database they run in; a used database with no
 * record (an operator emptied the table to ask for this step) is taken over.
 */
export async function takeOverRestoredDatabase(db: Db, log: Logger): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [IDENTITY_LOCK]);
    const { rows } = await tx.query<{ oid: number; recorded: number | null; used: boolean }>(
      `SELECT d.oid::int AS oid,
              (SELECT database_oid::int FROM ops_database_identity) AS recorded,
              (SELECT is_called FROM change_seq) AS used
         FROM pg_database d WHERE d.datname = current_database()`,
    );
    const { oid, recorded, used } = rows[0]!;
    if (recorded === oid) return false;
    const restored = recorded !== null || used;
    if (restored) {
      for (const { sequence, gap } of GAPS) {
        await tx.query(
          `SELECT setval(q.s, coalesce(ps.last_value, ps.start_value - 1) + $1)
             FROM (SELECT ${sequence}::regclass AS s) q
             JOIN pg_sequences ps ON format('%I.%I', ps.schemaname, ps.sequencename)::regclass = q.s`,
          [gap],
        );
      }
    }
    // The newest change the backup holds: what devices wrote after it is what they send again.
    const through = restored
      ? `(SELECT max(at) FROM (${Object.values(tableOf)
          .map((table) => `SELECT max(updated_at) AS at FROM ${table}`)
          .join(' UNION ALL ')}) t)`
      : 'NULL';
    await tx.query(
      `INSERT INTO ops_database_identity (database_oid, restored_at, restored_through)
       VALUES ($1, CASE WHEN $2 THEN now() END, ${through})
       ON CONFLICT (only_row) DO UPDATE SET database_oid = $1, recorded_at = now(),
         restored_at = CASE WHEN $2 THEN now() ELSE ops_database_identity.restored_at END,
         restored_through = CASE WHEN $2 THEN EXCLUDED.restored_through
                                 ELSE ops_database_identity.restored_through END`,
      [oid, restored],
    );
    if (restored) {
      log.warn(
        { databaseOid: oid, previousOid: recorded },
        'database restored from a backup: change positions moved ahead so devices keep their checkpoints; writes accepted after the backup was taken are not in it',
      );
    }
    return restored;
  });
}

/**
 * The last change the backup this database was restored from holds, as an ISO
 * instant, or null if it never was restored. Sync answers carry it, so devices
 * send again what they wrote after it (shared/src/sync/replication.ts).
 */
export async function restoredThrough(db: Db): Promise<string | null> {
  const rows = await db.query<{ through: Date | null }>(
    'SELECT restored_through AS through FROM ops_database_identity',
  );
  return rows[0]?.through?.toISOString() ?? null;
}
