import {
  dayRangeUtc,
  localDateAt,
  summariseQueues,
  type DisplayQueueEntry,
  type QueueSummary,
  type Site,
} from '@medisync/shared/domain';
import type { DeviceDatabase } from '@medisync/shared/sync';
import { map, type Observable } from 'rxjs';

/** Today's calls at most: a busy clinic calls a few hundred tickets a day. */
const MAX_CALLS = 300;
/** Today's entries at one site, bounded all the same. */
const MAX_ENTRIES = 1000;

type EntryQuery = { find(query: object): { $: Observable<{ toJSON(): DisplayQueueEntry }[]> } };

function today(timeZone: string, now: Date) {
  const { start, end } = dayRangeUtc(localDateAt(now, timeZone), timeZone);
  return { $gte: start.toISOString(), $lt: end.toISOString() };
}

/**
 * Today's called tickets from the display's replica (display projection: no
 * names), newest call first. Bounded by today's range and a limit, never the
 * whole history.
 */
export function replicaDisplayFeed(
  db: DeviceDatabase,
  timeZone: string,
  now: Date = new Date(),
): Observable<DisplayQueueEntry[]> {
  return (db.rx.queueEntries as unknown as EntryQuery)
    .find({
      selector: { checkedInAt: today(timeZone, now), status: 'called' },
      sort: [{ checkedInAt: 'desc' }],
      limit: MAX_CALLS,
    })
    .$.pipe(
      map((docs) => docs.map((doc) => doc.toJSON()).sort((a, b) => (b.calledAt ?? '').localeCompare(a.calledAt ?? ''))),
    );
}

/** How many wait in each queue today and how long waits have typically been (`summariseQueues`). */
export function replicaQueueSummaries(
  db: DeviceDatabase,
  timeZone: string,
  now: Date = new Date(),
): Observable<QueueSummary[]> {
  return (db.rx.queueEntries as unknown as EntryQuery)
    .find({ selector: { checkedInAt: today(timeZone, now) }, sort: [{ checkedInAt: 'desc' }], limit: MAX_ENTRIES })
    .$.pipe(map((docs) => summariseQueues(docs.map((doc) => doc.toJSON()))));
}

/** The site as the display holds it: its name for the screen's header. */
export function replicaSite(db: DeviceDatabase, siteId: string): Observable<Site | null> {
  return db.rx.sites.findOne(siteId).$.pipe(map((doc) => (doc === null ? null : (doc.toJSON() as Site))));
}
