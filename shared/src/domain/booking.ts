import type { HybridClock } from './hlc.js';
import { roomAvailable, type FacilityContext } from './facility.js';
import { newId } from './ids.js';
import { changeRecord, createRecord, transitionRecord, type Actor } from './records.js';
import type { Appointment } from './schemas/appointment.js';
import type { Schedule } from './schemas/schedule.js';
import { findOverlaps, freeSlots, holdsSlot, type BookedTime, type TimeSpan } from './slots.js';
import { dayRangeUtc } from './time.js';

/**
 * Booking as the desk (and anything else that books) does it: book a free slot,
 * move a booking, cancel with a reason, keep a waitlist and offer it freed time.
 *
 * Each operation is pure: it takes the records it judges against and returns
 * the record to save, so a device can book offline against its replica and the
 * server can run the same rule. The overlap rule is the one in slots.ts that
 * the server applies to pushed bookings; a device can still book offline over
 * a slot another offline device took, and the server flags that clash.
 */

/** A provider's time a booking can go into. */
export interface ProviderSlot extends TimeSpan {
  providerId: string;
}

/** Why a booking operation was refused; `code` is stable for screens and the API. */
export class BookingError extends Error {
  constructor(
    readonly code: 'slot-taken' | 'no-room' | 'reason-required' | 'not-movable' | 'not-cancellable',
    message: string,
    /** For `slot-taken`: the appointments the requested time clashes with, earliest first. */
    readonly clashes: readonly BookedTime[] = [],
  ) {
    super(message);
    this.name = 'BookingError';
  }
}

/** Statuses a booking can be moved from: it has not started yet. A waitlist entry is booked by moving it. */
export const movableStatuses: readonly Appointment['status'][] = ['proposed', 'pending', 'booked', 'waitlist'];

/** Statuses a booking can be cancelled from: the patient has not arrived. */
export const cancellableStatuses: readonly Appointment['status'][] = ['proposed', 'pending', 'booked', 'waitlist'];

export interface BookingRequest {
  id?: string;
  siteId: string;
  patientId: string;
  providerId: string;
  start: string;
  end: string;
  visitType: string;
  notes?: string | null;
}

/**
 * A new booked appointment, or a `slot-taken` refusal naming the clashes.
 * `others` are the provider's appointments around that time (any extra records
 * are ignored by the rule). With the site's rooms and bookings (`facility`), a
 * visit type that needs a room kind or equipment is refused `no-room` when no
 * suitable room can take it then (facility.ts).
 */
export function bookAppointment(
  request: BookingRequest,
  others: readonly BookedTime[],
  clock: HybridClock,
  actor: Actor,
  facility?: Omit<FacilityContext, 'visitType'>,
): Appointment {
  const id = request.id ?? newId();
  refuseClashes(
    { id, providerId: request.providerId, start: request.start, end: request.end, status: 'booked' },
    others,
  );
  refuseWithoutRoom(request.visitType, request, facility, id);
  return createRecord(
    'appointments',
    {
      id,
      siteId: request.siteId,
      patientId: request.patientId,
      providerId: request.providerId,
      roomId: null,
      start: request.start,
      end: request.end,
      visitType: request.visitType,
      status: 'booked',
      checkedInAt: null,
      copayCents: null,
      notes: request.notes ?? null,
    },
    clock,
    actor,
  );
}

/**
 * Moves an appointment to another time (and optionally another provider). A
 * waitlist, proposed or pending appointment becomes booked in its new slot.
 * Used by the booking screen's reschedule and by the conflicts inbox's "move
 * one" for a double booking: the appointment never clashes with itself.
 */
export function rescheduleAppointment(
  appointment: Appointment,
  to: ProviderSlot,
  others: readonly BookedTime[],
  clock: HybridClock,
  actor: Actor,
  facility?: Omit<FacilityContext, 'visitType'>,
): Appointment {
  if (!movableStatuses.includes(appointment.status)) {
    throw new BookingError('not-movable', `a ${appointment.status} appointment cannot be moved`);
  }
  refuseClashes({ id: appointment.id, ...to, status: 'booked' }, others);
  refuseWithoutRoom(appointment.visitType, to, facility, appointment.id);
  const moved = changeRecord(
    'appointments',
    appointment,
    { providerId: to.providerId, start: to.start, end: to.end },
    clock,
  );
  return moved.status === 'booked' ? moved : transitionRecord('appointments', moved, 'booked', clock, actor);
}

/** Books a waitlisted patient into a slot: the waitlist entry itself becomes the booking. */
export function bookFromWaitlist(
  entry: Appointment,
  slot: ProviderSlot,
  others: readonly BookedTime[],
  clock: HybridClock,
  actor: Actor,
): Appointment {
  if (entry.status !== 'waitlist')
    throw new BookingError('not-movable', 'only a waitlist entry can be booked from the waitlist');
  return rescheduleAppointment(entry, slot, others, clock, actor);
}

/**
 * Cancels an appointment with a reason, which is required and kept in the
 * appointment's notes ("Cancelled 2026-11-30: patient unwell") beside whatever
 * notes it had, so whoever opens the record later sees why.
 */
export function cancelAppointment(
  appointment: Appointment,
  reason: string,
  clock: HybridClock,
  actor: Actor,
  now: Date,
): Appointment {
  const why = reason.replace(/\s+/g, ' ').trim();
  if (why.length === 0) throw new BookingError('reason-required', 'a cancellation needs a reason');
  if (!cancellableStatuses.includes(appointment.status)) {
    throw new BookingError('not-cancellable', `a ${appointment.status} appointment cannot be cancelled`);
  }
  const line = `${CANCELLED_PREFIX} ${now.toISOString().slice(0, 10)}: ${why}`;
  const notes = appointment.notes ? `${appointment.notes}\n${line}` : line;
  const noted = changeRecord('appointments', appointment, { notes: notes.slice(-4000) }, clock);
  return transitionRecord('appointments', noted, 'cancelled', clock, actor);
}

const CANCELLED_PREFIX = 'Cancelled';

/** The reason given for the latest cancellation, or null when the notes hold none. */
export function cancellationReason(appointment: Pick<Appointment, 'notes'>): string | null {
  const lines = (appointment.notes ?? '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^Cancelled \d{4}-\d{2}-\d{2}: (.+)$/.exec(lines[i]!);
    if (match) return match[1]!;
  }
  return null;
}

export interface WaitlistRequest {
  id?: string;
  siteId: string;
  patientId: string;
  providerId: string;
  visitType: string;
  /** The site-local days the patient could come, first and last (inclusive). */
  fromDate: string;
  toDate: string;
  timeZone: string;
  notes?: string | null;
}

/**
 * A waitlist entry: an appointment in FHIR's `waitlist` status whose start and
 * end are the window the patient could come in (from the start of the first
 * day to the end of the last). It holds no time, so it never clashes.
 */
export function addToWaitlist(request: WaitlistRequest, clock: HybridClock, actor: Actor): Appointment {
  const first = request.fromDate <= request.toDate ? request.fromDate : request.toDate;
  const last = request.fromDate <= request.toDate ? request.toDate : request.fromDate;
  return createRecord(
    'appointments',
    {
      id: request.id ?? newId(),
      siteId: request.siteId,
      patientId: request.patientId,
      providerId: request.providerId,
      roomId: null,
      start: dayRangeUtc(first, request.timeZone).start.toISOString(),
      end: dayRangeUtc(last, request.timeZone).end.toISOString(),
      visitType: request.visitType,
      status: 'waitlist',
      checkedInAt: null,
      copayCents: null,
      notes: request.notes ?? null,
    },
    clock,
    actor,
  );
}

/** When an appointment last went onto the waitlist (its HLC), or null when it is not waitlisted. */
export function waitlistedAt(appointment: Pick<Appointment, 'status' | 'statusLog'>): string | null {
  if (appointment.status !== 'waitlist') return null;
  let latest: string | null = null;
  for (const event of appointment.statusLog) {
    if (event.to === 'waitlist' && (latest === null || event.hlc > latest)) latest = event.hlc;
  }
  return latest;
}

/** Waitlist entries in the order they are offered time: who was waitlisted first, then by id. */
export function orderWaitlist<T extends Pick<Appointment, 'id' | 'status' | 'statusLog'>>(entries: readonly T[]): T[] {
  return entries
    .filter((e) => e.status === 'waitlist' && (e as { _deleted?: boolean })._deleted !== true)
    .map((entry) => ({ entry, at: waitlistedAt(entry) ?? '' }))
    .sort((a, b) => byText(a.at, b.at) || byText(a.entry.id, b.entry.id))
    .map(({ entry }) => entry);
}

/** Time given back by a cancellation (or a move), and what it was booked for. */
export interface FreedSlot extends ProviderSlot {
  visitType: string;
}

/** The time a cancelled or moved appointment gave back. */
export function freedSlotOf(appointment: Pick<Appointment, 'providerId' | 'start' | 'end' | 'visitType'>): FreedSlot {
  return {
    providerId: appointment.providerId,
    start: appointment.start,
    end: appointment.end,
    visitType: appointment.visitType,
  };
}

/**
 * Who is next for a freed slot: the earliest waitlisted entry for the same
 * provider and visit type whose window holds the slot, for a patient who is
 * not already booked at that time. A slot that has already begun is offered
 * to nobody. `bookings` are the appointments that could clash for the
 * candidates' patients (any extra records are ignored).
 */
export function nextForFreedSlot<T extends Appointment>(
  freed: FreedSlot,
  waitlist: readonly T[],
  bookings: readonly (BookedTime & Pick<Appointment, 'patientId'>)[],
  now: Date,
): T | null {
  const start = Date.parse(freed.start);
  const end = Date.parse(freed.end);
  if (start < now.getTime()) return null;
  const busy = (patientId: string) =>
    bookings.some(
      (b) =>
        b.patientId === patientId &&
        holdsSlot(b.status) &&
        b._deleted !== true &&
        Date.parse(b.start) < end &&
        start < Date.parse(b.end),
    );
  return (
    orderWaitlist(waitlist).find(
      (entry) =>
        entry.providerId === freed.providerId &&
        entry.visitType === freed.visitType &&
        Date.parse(entry.start) <= start &&
        end <= Date.parse(entry.end) &&
        !busy(entry.patientId),
    ) ?? null
  );
}

/**
 * "First available": every provider's free slots on a site-local date, the
 * earliest first (ties by provider id, so every replica lists them alike).
 */
export function firstAvailableSlots(
  schedules: readonly Pick<Schedule, 'providerId' | 'slotMinutes' | 'weeklyHours' | 'exceptions'>[],
  appointments: readonly BookedTime[],
  date: string,
  timeZone: string,
  facility?: FacilityContext,
): ProviderSlot[] {
  return schedules
    .flatMap((schedule) =>
      freeSlots(schedule, appointments, date, timeZone, facility).map((slot) => ({
        ...slot,
        providerId: schedule.providerId,
      })),
    )
    .sort((a, b) => byText(a.start, b.start) || byText(a.providerId, b.providerId));
}

function refuseClashes(wanted: BookedTime, others: readonly BookedTime[]): void {
  const clashes = findOverlaps(wanted, others);
  if (clashes.length > 0) {
    throw new BookingError('slot-taken', 'the provider is already booked at an overlapping time', clashes);
  }
}

function refuseWithoutRoom(
  visitType: string,
  span: TimeSpan,
  facility: Omit<FacilityContext, 'visitType'> | undefined,
  id: string,
): void {
  if (facility === undefined) return;
  if (roomAvailable({ ...facility, visitType }, span, id) === false) {
    throw new BookingError('no-room', 'no suitable room or equipment is available at that time');
  }
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
