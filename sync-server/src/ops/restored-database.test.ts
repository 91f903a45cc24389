import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '#db/db';
import { migrate } from '#db/migrate';
import { createLogger, testLogLevel } from '#logger';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';
import { takeOverRestoredDatabase } from './restored-database.js';

/**
 * When the server moves its sequences ahead (docs/architecture.md §7.5): only
 * for a database that is not the one it last ran on, never at an ordinary
 * start. The dump-and-restore itself is in restore.test.ts.
 */
const log = createLogger(testLogLevel());
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = new Db(database.url, log);
  await migrate(db, log);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const positions = async () =>
  (
    await db.query<{ change: string; mrn: string }>(
      `SELECT (SELECT last_value FROM change_seq) AS change, (SELECT last_value FROM mrn_seq) AS mrn`,
    )
  )[0]!;

describe('takeOverRestoredDatabase', () => {
  it('leaves a database alone at every ordinary start, used or not', async () => {
    expect(await takeOverRestoredDatabase(db, log)).toBe(false);
    await db.query(`SELECT nextval('change_seq'), nextval('mrn_seq')`);
    const before = await positions();
    expect(await takeOverRestoredDatabase(db, log)).toBe(false);
    expect(await positions()).toEqual(before);
  });

  it('moves the sequences ahead once when asked to (the table emptied after another kind of restore)', async () => {
    const before = await positions();
    await db.query('TRUNCATE ops_database_identity');
    expect(await takeOverRestoredDatabase(db, log)).toBe(true);
    const after = await positions();
    expect(Number(after.change) - Number(before.change)).toBe(1_000_000_000);
    expect(Number(after.mrn) - Number(before.mrn)).toBe(100_000);
    expect(await takeOverRestoredDatabase(db, log)).toBe(false);
    expect(await positions()).toEqual(after);
  });
});
