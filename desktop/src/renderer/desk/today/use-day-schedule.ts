import type { Appointment, Patient, Provider, QueueEntry } from '@medisync/shared/domain';
import { useMemo } from 'react';
import { combineLatest, map, of, type Observable } from 'rxjs';
import type { RxDocument } from 'rxdb';
import { plainDoc } from '../../shell/plain-doc.js';
import { useObservable } from '../../shell/use-observable.js';
import type { SiteDay } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';

/** A provider's day rarely holds more than 40 visits; more than this pages ("Show more"). */
export const PROVIDER_PAGE = 60;
/** The day's queue at one site: arrivals of one day, bounded. */
const MAX_DAY_ENTRIES = 1000;
const MAX_PROVIDERS = 100;

export interface ProviderDay {
  provider: Provider;
  appointments: Appointment[];
  /** More appointments than the page holds. */
  hasMore: boolean;
}

export interface DaySchedule {
  days: ProviderDay[];
  /** The queue entry of each checked-in appointment, by appointment id. */
  entryByAppointment: ReadonlyMap<string, QueueEntry>;
  entries: QueueEntry[];
  patients: ReadonlyMap<string, Patient>;
  loaded: boolean;
}

/** The site's active providers, by name. */
export function useSiteProviders(workspace: Workspace): Provider[] | null {
  const { db, session } = workspace;
  const providers$ = useMemo(
    () =>
      db.rx.providers.find({ limit: MAX_PROVIDERS }).$.pipe(
        map((docs: RxDocument<Provider>[]) =>
          docs
            .map((doc) => doc.toJSON() as Provider)
            .filter((p) => p.active && p.siteIds.includes(session.site.id))
            .sort((a, b) => a.displayName.localeCompare(b.displayName)),
        ),
      ),
    [db, session.site.id],
  );
  return useObservable<Provider[] | null>(providers$, null);
}

/**
 * One day at the site: each provider's appointments (one bounded query per
 * provider, on the provider+start index), the day's queue entries, and the
 * patients in them. Every subscription is bounded, whatever the clinic's size.
 */
export function useDaySchedule(
  workspace: Workspace,
  providers: readonly Provider[],
  day: SiteDay,
  pageOf: (providerId: string) => number,
): DaySchedule {
  const { db, session } = workspace;
  const siteId = session.site.id;
  const pages = providers.map((p) => pageOf(p.id));
  const key = providers.map((p, i) => `${p.id}:${pages[i]}`).join();

  const days$ = useMemo((): Observable<{ start: string; days: ProviderDay[] }> => {
    if (providers.length === 0) return of({ start: day.start, days: [] });
    const lists = combineLatest(
      providers.map((provider, index) =>
        db.rx.appointments
          .find({
            selector: { providerId: provider.id, siteId, start: { $gte: day.start, $lt: day.end } },
            sort: [{ start: 'asc' }],
            // One more than the page, to know whether there is a next page.
            limit: pages[index]! + 1,
          })
          .$.pipe(
            map((docs: RxDocument<Appointment>[]) => ({
              provider,
              appointments: docs.slice(0, pages[index]).map(plainDoc),
              hasMore: docs.length > pages[index]!,
            })),
          ),
      ),
    );
    return lists.pipe(map((found) => ({ start: day.start, days: found })));
    // `key` names the providers and their pages.
  }, [db, siteId, day.start, day.end, key]);
  const shown = useObservable<{ start: string; days: ProviderDay[] } | null>(days$, null);
  // Another day's list is not this day's: until the day asked for is read, nothing is shown as loaded.
  const days = shown !== null && shown.start === day.start ? shown.days : null;

  const entries$ = useMemo(
    () =>
      db.rx.queueEntries
        .find({
          selector: { siteId, checkedInAt: { $gte: day.start, $lt: day.end } },
          sort: [{ checkedInAt: 'asc' }],
          limit: MAX_DAY_ENTRIES,
        })
        .$.pipe(map((docs: RxDocument<QueueEntry>[]) => docs.map(plainDoc))),
    [db, siteId, day.start, day.end],
  );
  const entries = useObservable<QueueEntry[]>(entries$, []);

  const patientIds = useMemo(
    () => [...new Set((days ?? []).flatMap((d) => d.appointments.map((a) => a.patientId)))].sort(),
    [days],
  );
  const patientKey = patientIds.join();
  const patients$ = useMemo(
    () =>
      patientIds.length === 0
        ? of(new Map<string, Patient>())
        : db.rx.patients
            .findByIds(patientIds)
            .$.pipe(
              map(
                (found: Map<string, RxDocument<Patient>>) =>
                  new Map([...found].map(([id, doc]) => [id, plainDoc(doc)])),
              ),
            ),
    // `patientKey` stands for the ids.
    [db, patientKey],
  );
  const patients = useObservable<ReadonlyMap<string, Patient>>(patients$, new Map());

  const entryByAppointment = useMemo(() => {
    const byAppointment = new Map<string, QueueEntry>();
    // Later entries win: a patient queued again after an undo shows the current ticket.
    for (const entry of entries) if (entry.appointmentId) byAppointment.set(entry.appointmentId, entry);
    return byAppointment;
  }, [entries]);

  return { days: days ?? [], entryByAppointment, entries, patients, loaded: days !== null };
}
