import {
  changeRecord,
  HybridClock,
  localDateAt,
  parseTicketCode,
  type AnyRecord,
  type CollectionName,
  type Patient,
} from '@medisync/shared/domain';
import type { Logger } from 'pino';
import type { Db } from '#db/db';
import { writeRecords, type AfterWrite } from '#sync/store';
import { leaseTicketBlock } from '#tickets/leases';
import { seedDemoStaff } from '#users/demo-staff';
import { buildDemoClinic, type DemoClinic } from './demo-clinic.js';

/** Reference data first, in the order devices replicate it, so every record finds what it refers to. */
const SEED_ORDER: readonly CollectionName[] = [
  'sites',
  'providers',
  'rooms',
  'schedules',
  'patients',
  'appointments',
  'queueEntries',
  'ledger',
];

/** Any constant; it only has to be the same for every server instance. */
const SEED_LOCK = 7_274_114;

/**
 * Writes the demo clinic into an empty database: when the `sites` table has no
 * row. Instances starting at once wait for each other on an advisory lock, so
 * the clinic is written once; later starts leave the data alone.
 *
 * Returns whether it seeded.
 */
export async function seedDemoIfEmpty(
  db: Db,
  log: Logger,
  /** `afterWrite`: what the server does in every write's transaction (billing/accounts.ts `serverWrites`). */
  options: { now?: Date; timezone?: string; afterWrite: AfterWrite },
): Promise<boolean> {
  const now = options.now ?? new Date();
  const lock = await db.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
    const { rows } = await lock.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM sites) AS seeded');
    if (rows[0]?.seeded) {
      log.debug('database already has sites; demo clinic not seeded');
      return false;
    }
    const started = Date.now();
    const clinic = buildDemoClinic({ today: now, ...(options.timezone ? { timezone: options.timezone } : {}) });
    clinic.patients = await withMrns(db, clinic.patients);
    for (const collection of SEED_ORDER) {
      // Written as the server writes anything: each patient's billing account opens with them.
      await writeRecords(db, collection, clinic[collection] as AnyRecord[], { afterWrite: options.afterWrite });
    }
    await reserveDemoTickets(db, clinic, now);
    await seedDemoStaff(db, clinic.sites[0]!.id);
    // Plans for the first pulls are made right away, before autovacuum would gather statistics.
    await db.query('ANALYZE');
    log.info(
      { siteId: clinic.sites[0]!.id, counts: counts(clinic), ms: Date.now() - started },
      'seeded the demo clinic',
    );
    return true;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
    lock.release();
  }
}

/** MRNs come from the server's sequence, as they do for every patient registered at a desk. */
async function withMrns(db: Db, patients: Patient[]): Promise<Patient[]> {
  const numbers = await db.query<{ n: string }>(
    "SELECT nextval('mrn_seq') AS n FROM generate_series(1, $1::int) ORDER BY 1",
    [patients.length],
  );
  const clock = new HybridClock('server');
  return patients.map((patient, i) => changeRecord('patients', patient, { mrn: `MRN-${numbers[i]!.n}` }, clock));
}

function counts(clinic: DemoClinic): Record<string, number> {
  return Object.fromEntries(SEED_ORDER.map((name) => [name, clinic[name].length]));
}

/**
 * The demo queue already holds today's codes from 001 on; lease those numbers
 * to the seed, so the blocks devices lease next start after them.
 */
async function reserveDemoTickets(db: Db, clinic: DemoClinic, now: Date): Promise<void> {
  const site = clinic.sites[0]!;
  const today = localDateAt(now, site.timezone);
  const highest = new Map<string, number>();
  // Past days' queues used their own numbers; only today's are in the way of the devices' blocks.
  for (const entry of clinic.queueEntries.filter(
    (q) => localDateAt(new Date(q.checkedInAt), site.timezone) === today,
  )) {
    const number = parseTicketCode(entry.ticketCode)?.number ?? 0;
    highest.set(entry.queue, Math.max(highest.get(entry.queue) ?? 0, number));
  }
  await db.transaction(async (tx) => {
    for (const [queue, size] of highest) {
      await leaseTicketBlock(tx, { siteId: site.id, deviceKey: 'demo-seed', queue, size }, now);
    }
  });
}
