import { roomAvailable, type FacilityContext } from './facility.js';
import type { Appointment, AppointmentStatus } from './schemas/appointment.js';
import type { Schedule } from './schemas/schedule.js';
import { dayRangeUtc, weekdayOf, zonedTimeToUtc } from './time.js';

/**
 * Appointment statuses that hold a provider's time. A pending appointment
 * (the patient has not confirmed yet) holds its slot too, so nobody books over
 * it meanwhile; proposed and waitlisted ones have no time of their own yet, and
 * a cancelled, no-show or mistaken one has given its time back.
 */
export const slotHoldingStatuses = [
  'pending',
  'booked',
  'arrived',
  'checked-in',
  'fulfilled',
] as const satisfies readonly AppointmentStatus[];

export function holdsSlot(status: AppointmentStatus): boolean {
  return (slotHoldingStatuses as readonly AppointmentStatus[]).includes(status);
}

/** A span of time as ISO-8601 UTC instants, start inclusive, end exclusive. */
export interface TimeSpan {
  start: string;
  end: string;
}

/** What the slot rules need of an appointment; a kiosk's minimised record has it too. */
export type BookedTime = Pick<Appointment, 'id' | 'providerId' | 'start' | 'end' | 'status'> & { _deleted?: boolean };

export type WorkingPattern = Pick<Schedule, 'providerId' | 'slotMinutes' | 'weeklyHours' | 'exceptions'>;

interface Span {
  start: number;
  end: number;
}

/**
 * The bookable slots of one provider on a site-local date.
 *
 * Slots follow a grid that starts where each stretch of working time starts
 * (weekly hours plus "extra" exceptions, joined where they touch) and steps by
 * the slot length in real minutes, so a night across a DST change still has
 * slots of the right length. A slot is left out when it overlaps a "block"
 * exception or an appointment that holds its time; the grid itself does not
 * shift around them, so the remaining slots stay on the times patients expect
 * (09:00, 09:15, …).
 *
 * Exceptions: a block with no start begins at the start of the day and one
 * with no end lasts to its end (both missing: the provider is off that day);
 * extra hours need both times, and an extra exception without them opens nothing.
 *
 * With a `facility` context, a slot for a visit type that needs a room kind or
 * equipment is also left out when no suitable room can take it then
 * (facility.ts: out of service, equipment under maintenance, rooms held by
 * other bookings).
 */
export function freeSlots(
  schedule: WorkingPattern,
  appointments: readonly BookedTime[],
  date: string,
  timeZone: string,
  facility?: FacilityContext,
): TimeSpan[] {
  const slotMs = schedule.slotMinutes * 60_000;
  const taken: Span[] = [
    ...blockedSpans(schedule, date, timeZone),
    ...appointments
      .filter((a) => a.providerId === schedule.providerId && holdsSlot(a.status) && a._deleted !== true)
      .map(toSpan),
  ];
  const slots: TimeSpan[] = [];
  for (const open of workingSpans(schedule, date, timeZone)) {
    for (let start = open.start; start + slotMs <= open.end; start += slotMs) {
      const slot = { start, end: start + slotMs };
      if (taken.some((t) => overlaps(t, slot))) continue;
      const span = toTimeSpan(slot);
      if (facility === undefined || roomAvailable(facility, span) !== false) slots.push(span);
    }
  }
  return slots;
}

/** The stretches of time a provider works on a site-local date, before blocks and bookings. */
export function workingHours(schedule: WorkingPattern, date: string, timeZone: string): TimeSpan[] {
  return workingSpans(schedule, date, timeZone).map(toTimeSpan);
}

/**
 * The other appointments of the same provider whose time overlaps this one's,
 * when both hold their slot. Back-to-back appointments (one ends as the next
 * starts) do not overlap. This is the double booking the server flags when two
 * desks booked the same time offline.
 */
export function findOverlaps<T extends BookedTime>(appointment: BookedTime, others: readonly T[]): T[] {
  if (!holdsSlot(appointment.status) || appointment._deleted === true) return [];
  const span = toSpan(appointment);
  return others
    .filter(
      (other) =>
        other.id !== appointment.id &&
        other.providerId === appointment.providerId &&
        holdsSlot(other.status) &&
        other._deleted !== true &&
        overlaps(span, toSpan(other)),
    )
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function workingSpans(schedule: WorkingPattern, date: string, timeZone: string): Span[] {
  const weekday = weekdayOf(date);
  const at = (time: string) => zonedTimeToUtc(date, time, timeZone).getTime();
  const spans = [
    ...schedule.weeklyHours.filter((h) => h.weekday === weekday),
    ...schedule.exceptions.filter((e) => e.date === date && e.kind === 'extra' && e.start !== null && e.end !== null),
  ]
    .map((h) => ({ start: at(h.start!), end: at(h.end!) }))
    .filter((s) => s.start < s.end)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  // Join stretches that overlap or touch, so the grid runs on through them without duplicate slots.
  const joined: Span[] = [];
  for (const span of spans) {
    const last = joined.at(-1);
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else joined.push({ ...span });
  }
  return joined;
}

function blockedSpans(schedule: WorkingPattern, date: string, timeZone: string): Span[] {
  const day = dayRangeUtc(date, timeZone);
  return schedule.exceptions
    .filter((e) => e.date === date && e.kind === 'block')
    .map((e) => ({
      start: e.start === null ? day.start.getTime() : zonedTimeToUtc(date, e.start, timeZone).getTime(),
      end: e.end === null ? day.end.getTime() : zonedTimeToUtc(date, e.end, timeZone).getTime(),
    }));
}

function toSpan(time: { start: string; end: string }): Span {
  // Parsed, not compared as strings: "…09:00:00Z" and "…09:00:00.000Z" are the same instant.
  return { start: Date.parse(time.start), end: Date.parse(time.end) };
}

function toTimeSpan(span: Span): TimeSpan {
  return { start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString() };
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}
