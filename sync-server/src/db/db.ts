import pg from 'pg';
import type { Logger } from 'pino';

export type Tx = pg.PoolClient;

/**
 * All SQL goes through here, so transaction boundaries (which sync correctness
 * depends on) and slow queries are visible in one place.
 */
export class Db {
  readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly log: Logger,
    options: { max?: number } = {},
  ) {
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'medisync-sync-server' });
    // An idle client losing its connection (server restart) must not crash the process.
    this.pool.on('error', (error) => this.log.warn({ err: error.message }, 'idle database connection failed'));
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Runs `work` in one transaction; rolls back on any error. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
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
