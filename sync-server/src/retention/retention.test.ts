import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type RetentionSettings } from '#config';
import { Db } from '#db/db';
import { migrate } from '#db/migrate';
import { createLogger, testLogLevel } from '#logger';
import { apiClientKey } from '#api-clients/testing';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';
import { eventually, seedSite } from '#testing/fixtures';
import { startTestServer } from '#testing/test-server';
import { runRetention } from './retention.js';

/**
 * Retention against a real PostgreSQL (docs/architecture.md §7.5): rows are
 * written with controlled ages, the jobs run, and what is left is checked.
 */
const log = createLogger(testLogLevel());
let database: TestDatabase;
let db: Db;
let other: Db;
const defaults: RetentionSettings = loadConfig({}).retention;

beforeAll(async () => {
  database = await createTestDatabase();
  db = new Db(database.url, log);
  other = new Db(database.url, log);
  await migrate(db, log);
});
afterAll(async () => {
  await other?.close();
  await db?.close();
  await database?.drop();
});
beforeEach(async () => {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('medisync.audit_retention', 'on', true)`);
    await tx.query('DELETE FROM audit_events');
    await tx.query('DELETE FROM audit_archive');
    await tx.query('DELETE FROM webhook_events');
    await tx.query('DELETE FROM idempotency_keys');
    await tx.query('DELETE FROM change_feed');
    await tx.query('DELETE FROM reminder_messages');
  });
});

/** An audit row written `age` ago (a PostgreSQL interval), e.g. a pull of two records. */
async function auditRowAged(age: string, action = 'read'): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO audit_events (at, actor_kind, actor_id, action, collection, record_ids, record_count, via)
     VALUES (now() - $1::interval, 'device', 'device-1', $2, 'patients', ARRAY[$3::uuid], 1, 'sync.pull') RETURNING id`,
    [age, action, randomUUID()],
  );
  return rows[0]!.id;
}

const ids = async (table: string) =>
  (await db.query<{ id: string }>(`SELECT id::text FROM ${table} ORDER BY id`)).map((r) => r.id);

describe('audit events', () => {
  it('archives events older than six years by default and keeps the younger ones where admins read them', async () => {
    const sevenYears = await auditRowAged('7 years');
    const justOver = await auditRowAged('6 years 1 day');
    const justUnder = await auditRowAged('5 years 364 days');
    const today = await auditRowAged('1 minute');

    expect(await runRetention(db, defaults)).toMatchObject({ 'audit-events': 2 });

    expect(await ids('audit_events')).toEqual([justUnder, today]);
    expect(await ids('audit_archive')).toEqual([sevenYears, justOver]);
    const [archived] = await db.query<{ action: string; via: string; record_count: number; archived_at: Date }>(
      'SELECT action, via, record_count, archived_at FROM audit_archive WHERE id = $1',
      [sevenYears],
    );
    expect(archived).toMatchObject({ action: 'read', via: 'sync.pull', record_count: 1 });

    // Run again: nothing more is old enough, nothing moves twice.
    expect(await runRetention(db, defaults)).toMatchObject({ 'audit-events': 0 });
    expect(await ids('audit_archive')).toEqual([sevenYears, justOver]);
  });

  it('deletes instead of archiving with AUDIT_AFTER_RETENTION=delete, after the configured period', async () => {
    const settings = loadConfig({ AUDIT_RETENTION: '30d', AUDIT_AFTER_RETENTION: 'delete' }).retention;
    await auditRowAged('31 days');
    const kept = await auditRowAged('29 days');
    expect(await runRetention(db, settings)).toMatchObject({ 'audit-events': 1 });
    expect(await ids('audit_events')).toEqual([kept]);
    expect(await ids('audit_archive')).toEqual([]);
  });

  it('stays append-only for everyone else: an ordinary delete or update is refused', async () => {
    const id = await auditRowAged('7 years');
    // The refused statement locked the row to run its trigger, and holds it until PostgreSQL has ended its
    // transaction, just after the error reaches us: the next statement on the same connection waits for that,
    // or retention (which skips locked rows) could find the row still locked.
    const refusal = async (sql: string) => {
      const client = await db.pool.connect();
      try {
        return await client.query(sql, [id]).then(
          () => 'done',
          (error: Error) => error.message,
        );
      } finally {
        await client.query('SELECT 1');
        client.release();
      }
    };
    expect(await refusal('DELETE FROM audit_events WHERE id = $1')).toMatch(/append-only/);
    expect(await refusal(`UPDATE audit_events SET action = 'x' WHERE id = $1`)).toMatch(/append-only/);
    expect(await runRetention(db, defaults)).toMatchObject({ 'audit-events': 1 });
    await expect(db.query(`UPDATE audit_archive SET action = 'x' WHERE id = $1`, [id])).rejects.toThrow(/not updated/);
  });

  it('two instances running at once move every old row exactly once', async () => {
    await db.query(
      `INSERT INTO audit_events (at, actor_kind, action, via)
       SELECT now() - interval '7 years' + make_interval(secs => n), 'anonymous', 'sign-in', 'POST /auth/sign-in'
         FROM generate_series(1, 3000) n`,
    );
    const young = await auditRowAged('1 day');
    const reports = await Promise.all([
      runRetention(db, defaults, { batchSize: 100 }),
      runRetention(other, defaults, { batchSize: 100 }),
      runRetention(db, defaults, { batchSize: 100 }),
    ]);
    // A run that found the job busy skips it; one more run takes whatever the busy one left.
    reports.push(await runRetention(db, defaults));
    const moved = reports.map((r) => (typeof r['audit-events'] === 'number' ? r['audit-events'] : 0));
    expect(moved.reduce((a, b) => a + b, 0)).toBe(3000);
    const [counts] = await db.query<{ live: string; archived: string; distinct_archived: string }>(
      `SELECT (SELECT count(*) FROM audit_events) AS live, (SELECT count(*) FROM audit_archive) AS archived,
              (SELECT count(DISTINCT id) FROM audit_archive) AS distinct_archived`,
    );
    expect(counts).toEqual({ live: '1', archived: '3000', distinct_archived: '3000' });
    expect(await ids('audit_events')).toEqual([young]);
  });
});

describe('webhook outbox and delivery log', () => {
  it('removes events whose deliveries ended longer ago than the window, with their attempts; keeps pending ones however old', async () => {
    const { site } = await seedSite(db);
    await apiClientKey(db, site.id);
    const [client] = await db.query<{ id: string }>('SELECT id FROM api_clients LIMIT 1');
    const subscription = randomUUID();
    await db.query(
      `INSERT INTO webhook_subscriptions (id, client_id, site_id, url, events, secret)
       VALUES ($1, $2, $3, 'http://127.0.0.1:9/hook', ARRAY['patient.created'], 'secret')`,
      [subscription, client!.id, site.id],
    );
    /** An event created `createdAgo`, one delivery in `state`, its one attempt `attemptAgo`. */
    const event = async (createdAgo: string, state: 'pending' | 'delivered' | 'failed' | null, attemptAgo?: string) => {
      const id = randomUUID();
      await db.query(
        `INSERT INTO webhook_events (id, site_id, type, payload, created_at)
         VALUES ($1, $2, 'patient.created', '{}', now() - $3::interval)`,
        [id, site.id, createdAgo],
      );
      if (state === null) return id;
      const delivery = randomUUID();
      await db.query(
        `INSERT INTO webhook_deliveries (id, event_id, subscription_id, state, attempts, delivered_at, created_at)
         VALUES ($1, $2, $3, $4, 1, CASE WHEN $4 = 'delivered' THEN now() - $5::interval END, now() - $6::interval)`,
        [delivery, id, subscription, state, attemptAgo ?? '0 seconds', createdAgo],
      );
      if (attemptAgo !== undefined) {
        await db.query(
          `INSERT INTO webhook_attempts (delivery_id, at, status, duration_ms) VALUES ($1, now() - $2::interval, 200, 5)`,
          [delivery, attemptAgo],
        );
      }
      return id;
    };
    const deliveredLongAgo = await event('40 days', 'delivered', '39 days');
    const failedLongAgo = await event('60 days', 'failed', '45 days');
    const nobodyWanted = await event('31 days', null);
    const stillPending = await event('90 days', 'pending', '1 hour');
    const failedRecently = await event('40 days', 'failed', '10 days');
    const deliveredToday = await event('1 hour', 'delivered', '59 minutes');

    expect(await runRetention(db, defaults)).toMatchObject({ 'webhook-log': 3 });

    expect((await ids('webhook_events')).sort()).toEqual([stillPending, failedRecently, deliveredToday].sort());
    const [left] = await db.query<{ deliveries: string; attempts: string }>(
      `SELECT (SELECT count(*) FROM webhook_deliveries) AS deliveries, (SELECT count(*) FROM webhook_attempts) AS attempts`,
    );
    expect(left).toEqual({ deliveries: '3', attempts: '3' });
    const gone = await db.query('SELECT id FROM webhook_events WHERE id = ANY($1::uuid[])', [
      [deliveredLongAgo, failedLongAgo, nobodyWanted],
    ]);
    expect(gone).toEqual([]);

    const shortWindow = loadConfig({ WEBHOOK_LOG_RETENTION: '1h' }).retention;
    expect(await runRetention(db, shortWindow)).toMatchObject({ 'webhook-log': 1 });
    expect((await ids('webhook_events')).sort()).toEqual([stillPending, deliveredToday].sort());
  });
});

describe('idempotency keys', () => {
  it('expire after IDEMPOTENCY_KEY_TTL (24 hours by default)', async () => {
    const { site } = await seedSite(db);
    await apiClientKey(db, site.id);
    const [client] = await db.query<{ id: string }>('SELECT id FROM api_clients LIMIT 1');
    for (const [key, age] of [
      ['old', '25 hours'],
      ['fresh', '23 hours'],
    ]) {
      await db.query(
        `INSERT INTO idempotency_keys (client_id, key, request_hash, status, body, created_at)
         VALUES ($1, $2, 'h', 201, '{}', now() - $3::interval)`,
        [client!.id, key, age],
      );
    }
    expect(await runRetention(db, defaults)).toMatchObject({ 'idempotency-keys': 1 });
    expect((await db.query<{ key: string }>('SELECT key FROM idempotency_keys')).map((r) => r.key)).toEqual(['fresh']);
  });
});

describe('committed-change feed', () => {
  it('keeps a week of changes by default and removes what is older', async () => {
    const site = randomUUID();
    for (const age of ['8 days', '6 days', '1 minute']) {
      await db.query(
        `INSERT INTO change_feed (site_id, collection, from_seq, to_seq, records, created_at)
         VALUES ($1, 'patients', 1, 2, '[]', now() - $2::interval)`,
        [site, age],
      );
    }
    expect(await runRetention(db, defaults)).toMatchObject({ 'change-feed': 1 });
    const left = await db.query<{ age_days: number }>(
      `SELECT extract(day FROM now() - created_at)::int AS age_days FROM change_feed ORDER BY position`,
    );
    expect(left).toEqual([{ age_days: 6 }, { age_days: 0 }]);
  });
});

describe('reminder log', () => {
  it('keeps a year of ended messages by default, with their attempts; never one still to send', async () => {
    const message = async (state: string, age: string) => {
      const id = randomUUID();
      await db.query(
        `INSERT INTO reminder_messages (id, site_id, patient_id, kind, channel, dedupe_key, state, created_at, updated_at)
         VALUES ($1, $2, $3, 'reminder', 'sms', $4, $5, now() - $6::interval, now() - $6::interval)`,
        [id, randomUUID(), randomUUID(), `test:${id}`, state, age],
      );
      await db.query(`INSERT INTO reminder_attempts (message_id, provider, duration_ms) VALUES ($1, 'twilio', 5)`, [
        id,
      ]);
      return id;
    };
    const sentLongAgo = await message('sent', '400 days');
    const failedLongAgo = await message('failed', '370 days');
    const pendingLongAgo = await message('pending', '400 days');
    const sentRecently = await message('sent', '30 days');
    expect(await runRetention(db, defaults)).toMatchObject({ 'reminder-log': 2 });
    const left = await db.query<{ id: string }>('SELECT id FROM reminder_messages');
    expect(left.map((r) => r.id).sort()).toEqual([pendingLongAgo, sentRecently].sort());
    const attempts = await db.query<{ message_id: string }>('SELECT message_id FROM reminder_attempts');
    expect(attempts.map((r) => r.message_id)).not.toContain(sentLongAgo);
    expect(attempts.map((r) => r.message_id)).not.toContain(failedLongAgo);
  });
});

describe('on a running server', () => {
  it('runs the jobs on its own every RETENTION_INTERVAL', async () => {
    const server = await startTestServer({ databaseUrl: database.url, env: { RETENTION_INTERVAL: '1s' } });
    try {
      const old = await auditRowAged('7 years');
      await eventually(async () => expect(await ids('audit_archive')).toContain(old), 10_000);
      expect(await ids('audit_events')).not.toContain(old);
    } finally {
      await server.close();
    }
  });
});
