import {
  deviceTagFor,
  localDateAt,
  newId,
  nextBlockRange,
  ticketBlockSchema,
  type Site,
  type TicketBlock,
} from '@medisync/shared/domain';
import type { Tx } from '#db/db';
import { HttpError } from '#http/errors';
import { lockSites } from '#sync/store';

export interface LeaseRequest {
  siteId: string;
  deviceKey: string;
  queue: string;
  /** Site-local day; today at the site when absent. */
  date?: string;
  size: number;
}

/**
 * Leases the next block of ticket numbers for a device. The site lock makes
 * concurrent leases take disjoint ranges; the ranges of a day never overlap.
 */
export async function leaseTicketBlock(tx: Tx, request: LeaseRequest, now = new Date()): Promise<TicketBlock> {
  await lockSites(tx, [request.siteId]);
  const site = await loadSite(tx, request.siteId);
  const prefix = site.queuePrefixes[request.queue];
  if (prefix === undefined) {
    throw new HttpError(400, 'unknown-queue', `site "${site.name}" has no queue "${request.queue}"`, {
      issues: [{ path: 'queue', message: `expected one of ${Object.keys(site.queuePrefixes).join(', ')}` }],
    });
  }
  const today = localDateAt(now, site.timezone);
  const date = request.date ?? today;
  if (date < today)
    throw new HttpError(400, 'past-day', 'ticket blocks are leased for today or later', {
      issues: [{ path: 'date', message: 'must not be in the past' }],
    });

  const deviceTag = await tagOf(tx, request.siteId, request.deviceKey);
  const { rows: leased } = await tx.query<{ start: number; end: number }>(
    `SELECT first_number AS start, last_number AS "end" FROM ticket_blocks WHERE site_id = $1 AND queue = $2 AND day = $3`,
    [request.siteId, request.queue, date],
  );
  const range = nextBlockRange(leased, request.size);
  if (range === null)
    throw new HttpError(
      409,
      'tickets-exhausted',
      `every ticket number of ${date} is leased; devices use their own codes`,
    );
  const id = newId();
  await tx.query(
    `INSERT INTO ticket_blocks (id, site_id, device_key, queue, day, prefix, first_number, last_number)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, request.siteId, request.deviceKey, request.queue, date, prefix, range.start, range.end],
  );
  return ticketBlockSchema.parse({
    id,
    siteId: request.siteId,
    deviceId: deviceIdOf(request.deviceKey, id),
    deviceTag,
    queue: request.queue,
    date,
    prefix,
    start: range.start,
    end: range.end,
    nextNumber: range.start,
  });
}

/** The device's fallback-code tag at a site, given on its first lease. */
async function tagOf(tx: Tx, siteId: string, deviceKey: string): Promise<string> {
  const { rows } = await tx.query<{ tag: string }>(
    `SELECT tag FROM ticket_device_tags WHERE site_id = $1 AND device_key = $2`,
    [siteId, deviceKey],
  );
  if (rows[0]) return rows[0].tag;
  const { rows: count } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ticket_device_tags WHERE site_id = $1`,
    [siteId],
  );
  const sequence = count[0]!.n;
  const tag = deviceTagFor(sequence);
  await tx.query(`INSERT INTO ticket_device_tags (site_id, device_key, sequence, tag) VALUES ($1, $2, $3, $4)`, [
    siteId,
    deviceKey,
    sequence,
    tag,
  ]);
  return tag;
}

async function loadSite(tx: Tx, siteId: string): Promise<Site> {
  const { rows } = await tx.query<{ doc: Site }>(`SELECT doc FROM sites WHERE id = $1 AND NOT deleted`, [siteId]);
  if (!rows[0]) throw new HttpError(404, 'unknown-site', `no site ${siteId}`);
  return rows[0].doc;
}

/** Block ids name the device when it is one (a uuid); server-side reservations get their own id. */
function deviceIdOf(deviceKey: string, fallback: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(deviceKey) ? deviceKey : fallback;
}
