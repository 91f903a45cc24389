import type { Db } from '#db/db';
import { HttpError } from '#http/errors';

/** At most `max` attempts per `windowSeconds` for one key (an IP address, an email). */
export interface RateLimit {
  name: string;
  max: number;
  windowSeconds: number;
}

/**
 * Abuse limits (docs/architecture.md §6.4), counted in PostgreSQL so that every server
 * instance behind a load balancer sees the same attempts. Fixed windows: simple,
 * one statement per attempt, and strict enough for sign-in and enrollment.
 */
export class RateLimiter {
  constructor(private readonly db: Db) {}

  /** Counts one attempt; throws 429 `rate-limited` once the window's allowance is spent. */
  async hit(limit: RateLimit, key: string): Promise<void> {
    const rows = await this.db.query<{ hits: number; retry_after: number }>(
      `INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         window_start = CASE WHEN r.window_start <= now() - make_interval(secs => $2) THEN now() ELSE r.window_start END,
         hits = CASE WHEN r.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE r.hits + 1 END
       RETURNING hits, ceil(extract(epoch FROM r.window_start + make_interval(secs => $2) - now()))::int AS retry_after`,
      [`${limit.name}:${key}`, limit.windowSeconds],
    );
    const { hits, retry_after: retryAfter } = rows[0]!;
    if (Math.random() < 0.01) {
      await this.db
        .query(`DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`)
        .catch(() => undefined);
    }
    if (hits > limit.max) throw tooMany(retryAfter);
  }

  /**
   * Throws 429 when the key has spent its allowance, without counting an
   * attempt: for limits that count failures only, checked before the attempt is judged.
   */
  async check(limit: RateLimit, key: string): Promise<void> {
    const rows = await this.db.query<{ hits: number; retry_after: number }>(
      `SELECT hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS retry_after
         FROM rate_limits WHERE key = $1 AND window_start > now() - make_interval(secs => $2)`,
      [`${limit.name}:${key}`, limit.windowSeconds],
    );
    const row = rows[0];
    if (row !== undefined && row.hits >= limit.max) throw tooMany(row.retry_after);
  }

  /** Forgets a key's attempts, e.g. an email's failed sign-ins once the right password is given. */
  async reset(limit: RateLimit, key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limits WHERE key = $1', [`${limit.name}:${key}`]);
  }
}

function tooMany(retryAfter: number): HttpError {
  const retryAfterSeconds = Math.max(1, retryAfter);
  return new HttpError(
    429,
    'rate-limited',
    `too many attempts; try again in ${retryAfterSeconds} seconds`,
    { retryAfterSeconds },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

export interface AbuseLimits {
  signInPerIp: RateLimit;
  signInPerEmail: RateLimit;
  enrollPerIp: RateLimit;
  refreshPerIp: RateLimit;
  /** Identity lookups by a kiosk that found nobody: the server's side of the kiosk lockout. */
  kioskMissesPerDevice: RateLimit;
  kioskLookupsPerDevice: RateLimit;
}

export const defaultAbuseLimits: AbuseLimits = {
  // A clinic's front desk may share one address behind NAT: generous per IP, strict per account.
  signInPerIp: { name: 'sign-in:ip', max: 60, windowSeconds: 600 },
  signInPerEmail: { name: 'sign-in:email', max: 8, windowSeconds: 600 },
  // Failed enrollments only. Codes have about 44 bits; a few tries per window make guessing hopeless.
  enrollPerIp: { name: 'enroll:ip', max: 10, windowSeconds: 600 },
  refreshPerIp: { name: 'refresh:ip', max: 300, windowSeconds: 600 },
  kioskMissesPerDevice: { name: 'kiosk-miss:device', max: 5, windowSeconds: 600 },
  kioskLookupsPerDevice: { name: 'kiosk-lookup:device', max: 120, windowSeconds: 3600 },
};
