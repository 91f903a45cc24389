import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { SiteQueue } from './site-queue.js';
import { WriteGroups } from './write-groups.js';

export type Tx = pg.PoolClient;

/**
 * A statement PostgreSQL parses and plans once per connection and then runs
 * again as it is: for a statement most requests send, parsing and planning cost
 * more than running it (a pull near the head spent 1.2 ms of its 1.7 there).
 * Named by a hash of its text, as a connection holds one text per name.
 * Only for statements whose text comes from a small set: each text stays
 * prepared on every connection that ran it.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `p_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`, text, values };
}

/**
 * All SQL goes through here, so transaction boundaries (which sync correctness
 * depends on) and slow queries are visible in one place.
 */
export class Db {
  readonly pool: pg.Pool;
  /** Where writes of one site wait their turn before they take a connection (site-queue.ts). */
  readonly siteWrites = new SiteQueue();
  /** Writes waiting for the same sites, gathered into one transaction (write-groups.ts). */
  readonly writeGroups = new WriteGroups();

  constructor(
    connectionString: string,
    private readonly log: Logger,
    options: { max?: number } = {},
  ) {
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'medisync-sync-server' });
    // An idle client losing its connection (server restart) must not crash the process.
    this.pool.on('error', (error) => this.log.warn({ err: error.message }, 'idle database connection failed'));
    keepConnectionErrorsFromCrashing(this.pool, this.log);
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /**
   * Runs `work` in one transaction; rolls back on any error. `begin` is SQL
   * without parameters sent with BEGIN in the same round trip, such as the
   * locks the transaction takes first.
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>, options: { begin?: string } = {}): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(options.begin ? `BEGIN; ${options.begin}` : 'BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The pool listens for errors of its idle clients only. A client checked out
 * (a transaction between two statements, a LISTEN connection) whose connection
 * PostgreSQL ends (a restart, a failover: "terminating connection due to
 * administrator command") emits an `error` event nobody listens to, which
 * ends the whole process. Every client gets a listener of its own; the
 * statement in flight, if any, still fails with the error, and the pool
 * replaces the broken client when it is released.
 */
export function keepConnectionErrorsFromCrashing(pool: pg.Pool, log: Logger): void {
  pool.on('connect', (client) => {
    client.on('error', (error) => log.warn({ err: error.message }, 'database connection lost'));
  });
}
