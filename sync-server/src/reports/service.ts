import type { Appointment, QueueEntry, Room, Schedule, Site, SiteReport } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import { buildReport, rangeUtc } from './figures.js';

/**
 * A site's report for a range of its local days, from its records as they
 * stand: the REST API and the desk's Reports screen both answer with this.
 */
export async function siteReport(db: Db, siteId: string, from: string, to: string): Promise<SiteReport> {
  const sites = await db.query<{ doc: Site }>(`SELECT doc FROM sites WHERE id = $1 AND NOT deleted`, [siteId]);
  const site = sites[0]?.doc;
  if (site === undefined) throw new HttpError(404, 'not-found', `no site ${siteId}`);
  // A day either side: the range's local days, whatever the zone, lie within.
  const { start, end } = rangeUtc(from, to, site.timezone);
  const [appointments, queueEntries, schedules, rooms] = await Promise.all([
    db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]
         AND doc->>'start' >= $2 AND doc->>'start' < $3`,
      [siteId, start, end],
    ),
    db.query<{ doc: QueueEntry }>(
      `SELECT doc FROM queue_entries WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]
         AND doc->>'checkedInAt' >= $2 AND doc->>'checkedInAt' < $3`,
      [siteId, start, end],
    ),
    db.query<{ doc: Schedule }>(`SELECT doc FROM schedules WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]`, [
      siteId,
    ]),
    db.query<{ doc: Room }>(
      `SELECT doc FROM rooms WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] ORDER BY doc->>'name', id`,
      [siteId],
    ),
  ]);
  return buildReport({
    timeZone: site.timezone,
    from,
    to,
    appointments: appointments.map((r) => r.doc),
    queueEntries: queueEntries.map((r) => r.doc),
    schedules: schedules.map((r) => r.doc),
    rooms: rooms.map((r) => r.doc),
  });
}
