import {
  addToWaitlist,
  bookAppointment,
  bookFromWaitlist,
  BookingError,
  cancelAppointment,
  dayRangeUtc,
  DomainError,
  freedSlotOf,
  freeSlots,
  localDateAt,
  nextForFreedSlot,
  rescheduleAppointment,
  type Appointment,
  type BookingRequest,
  type FreedSlot,
  type Patient,
  type Provider,
  type ProviderSlot,
  type Schedule,
  type WaitlistRequest,
} from '@medisync/shared/domain';
import { facilityOnReplica } from '@medisync/shared/sync';
import { formatTimeOfDay } from '../../shell/time.js';
import { visitTypeLabel } from '../labels.js';
import { patientListName } from '../names.js';
import { deskActor, type Workspace } from '../workspace.js';

/**
 * The booking screen's writes, each judged against the local replica and saved
 * locally: they work offline and sync when they can. Also what other screens
 * use to move a booking (the inbox's "move one" for a double booking).
 */

const DAY_MS = 86_400_000;
const MAX_AROUND = 500;
const MAX_WAITLIST = 200;

/** The provider's appointments that could overlap `span`, read fresh from the replica. */
async function bookingsAround(workspace: Workspace, providerId: string, span: { start: string; end: string }) {
  const docs = await workspace.db.rx.appointments
    .find({
      selector: {
        providerId,
        start: { $gte: new Date(Date.parse(span.start) - DAY_MS).toISOString(), $lt: span.end },
      },
      limit: MAX_AROUND,
    })
    .exec();
  return docs.map((doc) => doc.toJSON() as Appointment);
}

/** The site's rooms and bookings on the day of `start`, for the facility rule (docs/architecture.md §9.8). */
function facilityOn(workspace: Workspace, start: string) {
  const { id, timezone } = workspace.session.site;
  return facilityOnReplica(workspace.db, id, localDateAt(new Date(start), timezone), timezone);
}

async function latest(workspace: Workspace, appointmentId: string): Promise<Appointment> {
  const doc = await workspace.db.rx.appointments.findOne(appointmentId).exec();
  if (doc === null) throw new Error('This appointment is not on this device.');
  return doc.toJSON() as Appointment;
}

/** Books a new appointment; refuses an overlap with a BookingError naming the clashes. */
export async function saveBooking(workspace: Workspace, request: Omit<BookingRequest, 'siteId'>): Promise<Appointment> {
  const others = await bookingsAround(workspace, request.providerId, request);
  const record = bookAppointment(
    { ...request, siteId: workspace.session.site.id },
    others,
    workspace.db.clock,
    deskActor(workspace),
    await facilityOn(workspace, request.start),
  );
  await workspace.db.save('appointments', record);
  return record;
}

/**
 * Moves an appointment (by id) to another slot, on this device: a local write
 * that syncs later. Refuses an overlap with a BookingError naming the clashes,
 * and a visit that has begun with a BookingError `not-movable`. A waitlisted
 * appointment becomes booked in its new slot.
 */
export async function rescheduleAppointmentLocally(
  workspace: Workspace,
  appointmentId: string,
  to: ProviderSlot,
): Promise<Appointment> {
  const appointment = await latest(workspace, appointmentId);
  const others = await bookingsAround(workspace, to.providerId, to);
  const record = rescheduleAppointment(
    appointment,
    to,
    others,
    workspace.db.clock,
    deskActor(workspace),
    await facilityOn(workspace, to.start),
  );
  await workspace.db.save('appointments', record);
  return record;
}

/**
 * The first free slot of the appointment's provider on its own day, starting
 * no earlier than `notBefore` (default: now), judged without the appointment
 * itself: where "move one" can put a double-booked appointment. Null when the
 * day has no free slot left.
 */
export async function firstFreeSlotFor(
  workspace: Workspace,
  appointmentId: string,
  notBefore = new Date(),
): Promise<ProviderSlot | null> {
  const appointment = await latest(workspace, appointmentId);
  const timeZone = workspace.session.site.timezone;
  const scheduleDoc = await workspace.db.rx.schedules
    .findOne({ selector: { siteId: workspace.session.site.id, providerId: appointment.providerId } })
    .exec();
  if (scheduleDoc === null) return null;
  const date = localDateAt(new Date(appointment.start), timeZone);
  const day = dayRangeUtc(date, timeZone);
  const bookings = (
    await bookingsAround(workspace, appointment.providerId, {
      start: day.start.toISOString(),
      end: day.end.toISOString(),
    })
  ).filter((a) => a.id !== appointment.id);
  const slot = freeSlots(scheduleDoc.toJSON() as Schedule, bookings, date, timeZone).find(
    (s) => Date.parse(s.start) >= notBefore.getTime(),
  );
  return slot ? { ...slot, providerId: appointment.providerId } : null;
}

/** Cancels an appointment with the reason given; returns the cancelled record. */
export async function saveCancellation(workspace: Workspace, appointmentId: string, reason: string) {
  const appointment = await latest(workspace, appointmentId);
  const record = cancelAppointment(appointment, reason, workspace.db.clock, deskActor(workspace), new Date());
  await workspace.db.save('appointments', record);
  return record;
}

export async function saveWaitlistEntry(
  workspace: Workspace,
  request: Omit<WaitlistRequest, 'siteId' | 'timeZone'>,
): Promise<Appointment> {
  const record = addToWaitlist(
    { ...request, siteId: workspace.session.site.id, timeZone: workspace.session.site.timezone },
    workspace.db.clock,
    deskActor(workspace),
  );
  await workspace.db.save('appointments', record);
  return record;
}

export interface WaitlistOffer {
  freed: FreedSlot;
  entry: Appointment;
  patient: Patient | null;
}

/**
 * Who to offer the time a cancelled appointment gave back: the next suitable
 * waitlisted patient (see the domain's nextForFreedSlot), passing over `skipped`.
 */
export async function findWaitlistOffer(
  workspace: Workspace,
  cancelled: Appointment,
  skipped: ReadonlySet<string> = new Set(),
): Promise<WaitlistOffer | null> {
  const freed = freedSlotOf(cancelled);
  const waitlist = (
    await workspace.db.rx.appointments
      .find({
        selector: { providerId: freed.providerId, start: { $lte: freed.start }, status: 'waitlist' },
        limit: MAX_WAITLIST,
      })
      .exec()
  )
    .map((doc) => doc.toJSON() as Appointment)
    .filter((entry) => !skipped.has(entry.id));
  if (waitlist.length === 0) return null;
  // Any booking of the candidates at that time, with any provider of the site.
  const around = await workspace.db.rx.appointments
    .find({
      selector: {
        siteId: workspace.session.site.id,
        start: { $gte: new Date(Date.parse(freed.start) - DAY_MS).toISOString(), $lt: freed.end },
      },
      limit: 2000,
    })
    .exec();
  const entry = nextForFreedSlot(
    freed,
    waitlist,
    around.map((doc) => doc.toJSON() as Appointment),
    new Date(),
  );
  if (entry === null) return null;
  const patient = (await workspace.db.rx.patients.findOne(entry.patientId).exec())?.toJSON() as Patient | undefined;
  return { freed, entry, patient: patient ?? null };
}

/** Books the offered waitlisted patient into the freed slot. */
export async function acceptWaitlistOffer(workspace: Workspace, offer: WaitlistOffer): Promise<Appointment> {
  const entry = await latest(workspace, offer.entry.id);
  const others = await bookingsAround(workspace, offer.freed.providerId, offer.freed);
  const record = bookFromWaitlist(entry, offer.freed, others, workspace.db.clock, deskActor(workspace));
  await workspace.db.save('appointments', record);
  return record;
}

/**
 * A failed booking write in words for the desk: a clash names whom the
 * provider already sees and when ("Dr Park already has Garcia, Maria at
 * 09:00–09:15 (Follow-up)").
 */
export async function describeBookingFailure(workspace: Workspace, failure: unknown): Promise<string> {
  if (failure instanceof BookingError) {
    if (failure.code === 'slot-taken' && failure.clashes.length > 0) {
      const timeZone = workspace.session.site.timezone;
      const clash = failure.clashes[0] as Appointment;
      const [provider, patient] = await Promise.all([
        workspace.db.rx.providers.findOne(clash.providerId).exec(),
        clash.patientId ? workspace.db.rx.patients.findOne(clash.patientId).exec() : Promise.resolve(null),
      ]);
      const who = patient ? patientListName(patient.toJSON() as Patient) : 'another patient';
      const what = clash.visitType ? ` (${visitTypeLabel(clash.visitType)})` : '';
      const more = failure.clashes.length > 1 ? ` and ${failure.clashes.length - 1} more` : '';
      const name = (provider?.toJSON() as Provider | undefined)?.displayName ?? 'The provider';
      return `Not booked: ${name} already has ${who} at ${formatTimeOfDay(clash.start, timeZone)}–${formatTimeOfDay(clash.end, timeZone)}${what}${more}. Choose a free slot.`;
    }
    if (failure.code === 'reason-required') return 'Say why the appointment is cancelled.';
    if (failure.code === 'no-room')
      return 'Not booked: no suitable room or equipment is free then. Choose another slot.';
    return `Not saved: ${failure.message}.`;
  }
  if (failure instanceof DomainError) return `Not saved: ${failure.message}.`;
  return failure instanceof Error ? failure.message : 'The change could not be saved on this device.';
}
