import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres.js';
import { createLogger } from './logger.js';

const log = createLogger('silent');
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medisync-embedded-test-'));
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('starts on a free port of its own, keeps its data across a restart, and stops', async () => {
    const dir = await dataDir();
    // Whatever listens on 5432 here (another PostgreSQL) is left alone.
    const first = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      expect(first.port).not.toBe(5432);
      expect(first.connectionString).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/medisync$/);
      const [row] = await query<{ version: string }>(
        first.connectionString,
        "SELECT current_setting('server_version') AS version",
      );
      expect(Number(row!.version.split('.')[0])).toBeGreaterThanOrEqual(14);
      await query(first.connectionString, 'CREATE TABLE visits (id int PRIMARY KEY, note text)');
      await query(first.connectionString, 'INSERT INTO visits VALUES (1, $1)', ['Müller, Nguyễn and 陈 survive']);
    } finally {
      await first.stop();
      await first.stop();
    }
    await expect(query(first.connectionString, 'SELECT 1')).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      const rows = await query<{ note: string }>(second.connectionString, 'SELECT note FROM visits WHERE id = 1');
      expect(rows).toEqual([{ note: 'Müller, Nguyễn and 陈 survive' }]);
    } finally {
      await second.stop();
    }
  });

  it('listens on loopback only', async () => {
    const running = await startEmbeddedPostgres({ dataDir: await dataDir(), log });
    try {
      const [setting] = await query<{ listen: string }>(
        running.adminConnectionString,
        "SELECT current_setting('listen_addresses') AS listen",
      );
      expect(setting!.listen).toBe('127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(running.port, '127.0.0.1', () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
      });
    } finally {
      await running.stop();
    }
  });

  it('says in one line, with the fix, when its data folder cannot be created', async () => {
    const file = join(await dataDir(), 'a-file');
    await writeFile(file, '');
    const failure = startEmbeddedPostgres({ dataDir: join(file, 'data'), log });
    await expect(failure).rejects.toBeInstanceOf(EmbeddedPostgresError);
    await expect(failure).rejects.toThrow(
      /^the data folder .*a-file\/data cannot be created \(ENOTDIR\): set DATA_DIR/,
    );
  });

  // Root starts PostgreSQL as the "postgres" user, which cannot enter a folder only root may (a clone in /root).
  it.runIf(process.getuid?.() === 0)(
    'says in one line, with the fix, when its user cannot reach the folder',
    async () => {
      const closed = await dataDir();
      await chmod(closed, 0o700);
      const failure = startEmbeddedPostgres({ dataDir: join(closed, 'data'), log });
      await expect(failure).rejects.toThrow(
        new RegExp(`^PostgreSQL runs as the "postgres" user .* cannot enter ${closed}, .*: set DATA_DIR to a folder`),
      );
    },
  );
});
