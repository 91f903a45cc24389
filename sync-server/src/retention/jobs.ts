import type { RetentionSettings } from '#config';
import type { Tx } from '#db/db';

/**
 * One kind of row that only grows, and how a batch of it past its period is
 * removed. `removeBatch` removes at most `limit` rows and says how many it
 * removed; it must be safe to run in two transactions at once (it skips rows
 * another transaction holds) and to run again (what is gone stays gone).
 */
export interface RetentionJob {
  name: string;
  removeBatch(tx: Tx, settings: RetentionSettings, limit: number): Promise<number>;
}

async function counted(tx: Tx, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Audit events older than AUDIT_RETENTION (six years by default) move to
 * `audit_archive`, or are deleted with AUDIT_AFTER_RETENTION=delete. Moved
 * within one transaction, so a crash leaves each row in exactly one table.
 */
export const auditEvents: RetentionJob = {
  name: 'audit-events',
  async removeBatch(tx, settings, limit) {
    // The append-only trigger lets this transaction, and only it, delete (migration 20261130_0040).
    await tx.query(`SELECT set_config('medisync.audit_retention', 'on', true)`);
    const old = `old AS (
      SELECT id FROM audit_events WHERE at < now() - $1::interval ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED),
      gone AS (DELETE FROM audit_events a USING old WHERE a.id = old.id RETURNING a.*)`;
    if (settings.auditAfter === 'delete') {
      return counted(tx, `WITH ${old} SELECT count(*) AS n FROM gone`, [settings.auditEvents.interval, limit]);
    }
    const columns =
      'id, at, actor_kind, actor_id, actor_role, site_id, action, collection, record_ids, record_count, via, ip, user_agent, details';
    return counted(
      tx,
      `WITH ${old},
       kept AS (INSERT INTO audit_archive (${columns}) SELECT ${columns} FROM gone ON CONFLICT (id) DO NOTHING RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [settings.auditEvents.interval, limit],
    );
  },
};

/**
 * Webhook events whose every delivery has ended (delivered, or given up after
 * the last retry) more than WEBHOOK_LOG_RETENTION ago, with their deliveries
 * and attempts (ON DELETE CASCADE). An event with a delivery still pending is
 * kept however old it is: removing it would drop a delivery the receiver has
 * not had. Events no subscription wanted go after the same period.
 */
export const webhookLog: RetentionJob = {
  name: 'webhook-log',
  removeBatch(tx, settings, limit) {
    return counted(
      tx,
      `WITH old AS (
         SELECT e.id FROM webhook_events e
          WHERE e.created_at < now() - $1::interval
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries d
               WHERE d.event_id = e.id
                 AND (d.state = 'pending'
                      OR greatest(d.delivered_at, (SELECT max(a.at) FROM webhook_attempts a WHERE a.delivery_id = d.id))
                         >= now() - $1::interval))
          ORDER BY e.created_at LIMIT $2
          FOR UPDATE OF e SKIP LOCKED),
       gone AS (DELETE FROM webhook_events e USING old WHERE e.id = old.id RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [settings.webhookLog.interval, limit],
    );
  },
};

/**
 * Stored answers of Idempotency-Key requests older than IDEMPOTENCY_KEY_TTL
 * (24 hours by default): a client repeating a request later than that runs it
 * again. A key whose first request is still running is far younger than any
 * allowed TTL (a repeat waits at most 10 seconds for it).
 */
export const idempotencyKeys: RetentionJob = {
  name: 'idempotency-keys',
  removeBatch(tx, settings, limit) {
    return counted(
      tx,
      `WITH old AS (
         SELECT client_id, key FROM idempotency_keys WHERE created_at < now() - $1::interval
          LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM idempotency_keys k USING old WHERE k.client_id = old.client_id AND k.key = old.key RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [settings.idempotencyKeys.interval, limit],
    );
  },
};

/**
 * Rate-limit windows that ended more than a day ago (the longest window is an
 * hour, auth/rate-limit.ts): counting attempts already clears them now and
 * then; this makes sure they go on a quiet server too.
 */
export const rateLimitWindows: RetentionJob = {
  name: 'rate-limit-windows',
  removeBatch(tx, _settings, limit) {
    return counted(
      tx,
      `WITH old AS (
         SELECT key FROM rate_limits WHERE window_start < now() - interval '1 day' LIMIT $1 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM rate_limits r USING old WHERE r.key = old.key RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [limit],
    );
  },
};

/**
 * The committed-change feed (changes/, docs/architecture.md §9.2) older than
 * CHANGE_FEED_RETENTION (7 days by default). Every instance reads it within
 * moments of each commit; the window is for a consumer that keeps its cursor
 * across restarts: one that stays away longer resumes after a gap.
 */
export const changeFeed: RetentionJob = {
  name: 'change-feed',
  removeBatch(tx, settings, limit) {
    return counted(
      tx,
      `WITH old AS (
         SELECT position FROM change_feed WHERE created_at < now() - $1::interval
          ORDER BY position LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM change_feed f USING old WHERE f.position = old.position RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [settings.changeFeed.interval, limit],
    );
  },
};

/**
 * Reminder messages that ended (sent, failed, cancelled or uncertain) longer
 * than REMINDER_LOG_RETENTION ago (a year by default: the desk shows what was
 * sent to whom), with their attempts (ON DELETE CASCADE). A message still
 * pending or being sent is kept however old it is.
 */
export const reminderLog: RetentionJob = {
  name: 'reminder-log',
  removeBatch(tx, settings, limit) {
    return counted(
      tx,
      `WITH old AS (
         SELECT id FROM reminder_messages
          WHERE state IN ('sent', 'failed', 'cancelled', 'uncertain') AND updated_at < now() - $1::interval
          ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM reminder_messages m USING old WHERE m.id = old.id RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [settings.reminderLog.interval, limit],
    );
  },
};

/**
 * Every retention job, run in this order. A feature with a table that only
 * grows adds its job here.
 */
export const retentionJobs: readonly RetentionJob[] = [
  auditEvents,
  webhookLog,
  idempotencyKeys,
  rateLimitWindows,
  changeFeed,
  reminderLog,
];
