import { dayRangeUtc, localDateAt, type DisplayQueueEntry } from '@medisync/shared/domain';
import type { DeviceDatabase } from '@medisync/shared/sync';
import { map, type Observable } from 'rxjs';

/** Today's calls at most: a busy clinic calls a few hundred tickets a day. */
const MAX_CALLS = 300;

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
  const { start, end } = dayRangeUtc(localDateAt(now, timeZone), timeZone);
  const entries = db.rx.queueEntries as unknown as {
    find(query: object): { $: Observable<{ toJSON(): DisplayQueueEntry }[]> };
  };
  return entries
    .find({
      selector: { checkedInAt: { $gte: start.toISOString(), $lt: end.toISOString() }, status: 'called' },
      sort: [{ checkedInAt: 'desc' }],
      limit: MAX_CALLS,
    })
    .$.pipe(
      map((docs) => docs.map((doc) => doc.toJSON()).sort((a, b) => (b.calledAt ?? '').localeCompare(a.calledAt ?? ''))),
    );
}
