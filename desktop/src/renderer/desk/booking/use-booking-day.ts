import {
  dayRangeUtc,
  findOverlaps,
  firstAvailableSlots,
  freeSlots,
  type Appointment,
  roomAvailable,
  type Provider,
  type ProviderSlot,
  type Room,
  type Schedule,
} from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { RxDocument } from 'rxdb';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';

const MAX_PROVIDERS = 100;
const MAX_SCHEDULES = 200;
const MAX_ROOMS = 200;
/** A clinic day of every provider at a busy site fits well within this. */
const MAX_DAY_APPOINTMENTS = 1500;
const DAY_MS = 86_400_000;

/** One slot of the provider's working grid on the day shown: free, or held by a booking. */
export interface DaySlot extends ProviderSlot {
  /** The booking holding this time, when it is taken. */
  takenBy: Appointment | null;
  /** It has already begun: not offered for booking. */
  past: boolean;
  /** The visit type needs a room kind or equipment that no room can offer then (docs/architecture.md §9.8). */
  noRoom: boolean;
}

export interface BookingDay {
  /** Active providers of the site, by name. */
  providers: Provider[];
  providerById: Map<string, Provider>;
  /** Every appointment of the site that touches the day (any provider), for the overlap rule. */
  appointments: Appointment[];
  /** With one provider chosen: its working grid, free and taken. With "first available": free slots of all. */
  slots: DaySlot[];
  /** The chosen provider works that day (or, for "first available", anyone does). */
  working: boolean;
  /** The shown day's bounds, ISO. */
  range: { start: string; end: string };
}

/**
 * Providers, schedules and the site's bookings on one site-local day, from the
 * local replica only, with the slots the booking screen offers. The slots come
 * from the domain's `freeSlots`, the rule the server uses for its REST free slots,
 * with the site's rooms for a visit type that needs a room kind or equipment.
 */
export function useBookingDay(
  workspace: Workspace,
  date: string,
  providerId: string | null,
  now: Date,
  visitType: string,
): BookingDay {
  const { db, session } = workspace;
  const site = session.site;
  const range = useMemo(() => {
    const { start, end } = dayRangeUtc(date, site.timezone);
    return { start: start.toISOString(), end: end.toISOString() };
  }, [date, site.timezone]);

  const providerDocs = useLiveQuery(
    () => db.rx.providers.find({ limit: MAX_PROVIDERS }),
    [db],
    [] as RxDocument<Provider>[],
  );
  const scheduleDocs = useLiveQuery(
    () => db.rx.schedules.find({ selector: { siteId: site.id }, limit: MAX_SCHEDULES }),
    [db, site.id],
    [] as RxDocument<Schedule>[],
  );
  const roomDocs = useLiveQuery(
    () => db.rx.rooms.find({ selector: { siteId: site.id }, limit: MAX_ROOMS }),
    [db, site.id],
    [] as RxDocument<Room>[],
  );
  // From a day before: a booking that starts the evening before can run into the day.
  const appointmentDocs = useLiveQuery(
    () =>
      db.rx.appointments.find({
        selector: {
          siteId: site.id,
          start: { $gte: new Date(Date.parse(range.start) - DAY_MS).toISOString(), $lt: range.end },
        },
        sort: [{ start: 'asc' }],
        limit: MAX_DAY_APPOINTMENTS,
      }),
    [db, site.id, range.start, range.end],
    [] as RxDocument<Appointment>[],
  );

  const providers = useMemo(
    () =>
      providerDocs
        .map((doc) => doc.toJSON() as Provider)
        .filter((p) => p.active && p.siteIds.includes(site.id))
        .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    [providerDocs, site.id],
  );
  const providerById = useMemo(() => new Map(providers.map((p) => [p.id, p])), [providers]);
  const appointments = useMemo(
    () => appointmentDocs.map((doc) => doc.toJSON() as Appointment).filter((a) => a.end > range.start),
    [appointmentDocs, range.start],
  );
  const schedules = useMemo(
    () => scheduleDocs.map((doc) => doc.toJSON() as Schedule).filter((s) => providerById.has(s.providerId)),
    [scheduleDocs, providerById],
  );

  const facility = useMemo(
    () => ({ visitType, rooms: roomDocs.map((doc) => doc.toJSON() as Room), bookings: appointments }),
    [visitType, roomDocs, appointments],
  );

  const nowMs = now.getTime();
  const { slots, working } = useMemo(() => {
    if (providerId === null) {
      const free = firstAvailableSlots(schedules, appointments, date, site.timezone, facility)
        .filter((slot) => Date.parse(slot.start) >= nowMs)
        .map((slot) => ({ ...slot, takenBy: null, past: false, noRoom: false }));
      const anyoneWorks = schedules.some((s) => freeSlots(s, [], date, site.timezone).length > 0);
      return { slots: free, working: anyoneWorks };
    }
    const schedule = schedules.find((s) => s.providerId === providerId);
    if (schedule === undefined) return { slots: [], working: false };
    // The grid of the working day with blocks taken out; bookings then mark slots taken, never shift them.
    const grid = freeSlots(schedule, [], date, site.timezone);
    const mine = appointments.filter((a) => a.providerId === providerId);
    const all = grid.map((slot): DaySlot => {
      const clash = findOverlaps({ id: '', providerId, ...slot, status: 'booked' }, mine)[0] ?? null;
      const noRoom = clash === null && roomAvailable(facility, slot) === false;
      return { ...slot, providerId, takenBy: clash, past: Date.parse(slot.start) < nowMs, noRoom };
    });
    return { slots: all, working: grid.length > 0 };
  }, [providerId, schedules, appointments, date, site.timezone, nowMs, facility]);

  return { providers, providerById, appointments, slots, working, range };
}
