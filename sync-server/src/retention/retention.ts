import type { Logger } from 'pino';
import type { RetentionSettings } from '#config';
import type { Db } from '#db/db';
import { Periodic } from '#ops/periodic';
import { retentionJobs, type RetentionJob } from './jobs.js';

/** Advisory lock class of the retention jobs; each job locks (this, hashtext(its name)). */
const RETENTION_LOCK = 7_274_120;
/** Rows per transaction: short transactions, so no lock is held long on a busy table. */
const BATCH = 2_000;

export type RetentionReport = Record<string, number | 'skipped'>;

/**
 * Runs every retention job once, each in batches of one transaction. Every
 * instance runs this on its own schedule; a job another instance is running
 * right now is skipped (`pg_try_advisory_xact_lock`), and even without the
 * lock two runs would not meet, since each batch skips rows another holds.
 * Returns the rows removed per job.
 */
export async function runRetention(
  db: Db,
  settings: RetentionSettings,
  options: { jobs?: readonly RetentionJob[]; batchSize?: number } = {},
): Promise<RetentionReport> {
  const report: RetentionReport = {};
  const limit = options.batchSize ?? BATCH;
  for (const job of options.jobs ?? retentionJobs) {
    let total = 0;
    for (;;) {
      const removed = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
          [RETENTION_LOCK, job.name],
        );
        return rows[0]!.locked ? job.removeBatch(tx, settings, limit) : ('skipped' as const);
      });
      if (removed === 'skipped') {
        report[job.name] = total > 0 ? total : 'skipped';
        break;
      }
      total += removed;
      if (removed < limit) {
        report[job.name] = total;
        break;
      }
    }
  }
  return report;
}

/** Runs the retention jobs every RETENTION_INTERVAL on this instance, the first time a short while after start. */
export function retentionSchedule(db: Db, log: Logger, settings: RetentionSettings): Periodic {
  return new Periodic(
    {
      name: 'retention run',
      everyMs: settings.every.ms,
      run: async () => {
        const report = await runRetention(db, settings);
        const removed = Object.values(report).some((n) => typeof n === 'number' && n > 0);
        if (removed) log.info({ retention: report }, 'retention removed old rows');
      },
    },
    log,
  );
}
