import {
  appointmentLifecycle,
  DomainError,
  transitionRecord,
  undoTarget,
  type Appointment,
  type QueueEntry,
  type Site,
} from '@medisync/shared/domain';
import { queueArrival, RECEPTION_QUEUE } from '@medisync/shared/sync';
import { appointmentStatusLabel } from '../labels.js';
import type { SiteDay } from '../use-site-today.js';
import { deskActor, type Workspace } from '../workspace.js';

/**
 * What the desk does to a visit: check in, no-show, undo. Every step is a
 * local write that syncs when it can, so none of them waits for the network.
 */

/** A step the desk declines, in words for the receptionist. */
export class VisitStepRefused extends Error {
  override name = 'VisitStepRefused';
}

/** Statuses an appointment can be checked in from at the desk. */
export const CHECK_IN_FROM: readonly Appointment['status'][] = ['booked', 'noshow'];

export function canCheckIn(appointment: Pick<Appointment, 'status'>): boolean {
  return CHECK_IN_FROM.includes(appointment.status);
}

export function canMarkNoShow(appointment: Pick<Appointment, 'status'>): boolean {
  return appointment.status === 'booked';
}

/** What "Undo" would do to the appointment, in words, or null when there is nothing to take back. */
export function undoDescription(appointment: Pick<Appointment, 'status'>): string | null {
  const target = undoTarget(appointmentLifecycle, appointment.status);
  if (target === null) return null;
  switch (appointment.status) {
    case 'checked-in':
    case 'arrived':
      return 'Undo check-in';
    case 'noshow':
      return 'Undo no-show';
    case 'cancelled':
      return 'Restore the appointment';
    default:
      return `Back to ${appointmentStatusLabel(target).toLowerCase()}`;
  }
}

async function latestAppointment(workspace: Workspace, id: string): Promise<Appointment> {
  const doc = await workspace.db.rx.appointments.findOne(id).exec();
  if (!doc) throw new VisitStepRefused('This appointment is not on this device.');
  return doc.toJSON() as Appointment;
}

/** The appointment's queue entry of its day, if it was queued. */
export async function queueEntryOf(
  workspace: Workspace,
  appointment: Appointment,
  day: SiteDay,
): Promise<QueueEntry | null> {
  const docs = await workspace.db.rx.queueEntries
    .find({
      selector: {
        siteId: appointment.siteId,
        checkedInAt: { $gte: day.start, $lt: day.end },
        appointmentId: appointment.id,
      },
      sort: [{ checkedInAt: 'asc' }],
      limit: 20,
    })
    .exec();
  return (docs.at(-1)?.toJSON() as QueueEntry | undefined) ?? null;
}

/**
 * Checks the patient in and queues them: a ticket from the desk's leased block
 * (or its own fallback code offline). A patient whose check-in was undone gets
 * the ticket they had back, so what was read to them stays true.
 */
export async function checkInVisit(
  workspace: Workspace,
  appointmentId: string,
  today: SiteDay,
): Promise<{ appointment: Appointment; entry: QueueEntry | null }> {
  const { db } = workspace;
  const actor = deskActor(workspace);
  const current = await latestAppointment(workspace, appointmentId);
  const next = transitionRecord('appointments', current, 'checked-in', db.clock, actor);
  await db.save('appointments', next);
  const earlier = await queueEntryOf(workspace, current, today);
  if (earlier && (earlier.status === 'left' || earlier.status === 'no-show')) {
    const back = transitionRecord('queueEntries', earlier, 'waiting', db.clock, actor);
    await db.save('queueEntries', back);
    return { appointment: next, entry: back };
  }
  if (earlier && earlier.status !== 'done') return { appointment: next, entry: earlier };
  const site = (await db.rx.sites.findOne(current.siteId).exec())?.toJSON() as Site | undefined;
  const entry = site
    ? await queueArrival(
        db,
        workspace.tickets,
        site,
        { appointmentId: current.id, patientId: current.patientId },
        actor,
        new Date(),
        RECEPTION_QUEUE,
      )
    : null;
  return { appointment: next, entry };
}

export async function markVisitNoShow(workspace: Workspace, appointmentId: string): Promise<Appointment> {
  const { db } = workspace;
  const current = await latestAppointment(workspace, appointmentId);
  const next = transitionRecord('appointments', current, 'noshow', db.clock, deskActor(workspace));
  await db.save('appointments', next);
  return next;
}

/**
 * Takes back the appointment's last step as its lifecycle allows. Undoing a
 * check-in takes the patient out of the waiting list too (the ticket is kept
 * for them); once they have been called, the queue board is where to step back.
 */
export async function undoVisitStep(
  workspace: Workspace,
  appointmentId: string,
  today: SiteDay,
): Promise<{ from: Appointment['status']; to: Appointment['status'] }> {
  const { db } = workspace;
  const actor = deskActor(workspace);
  const current = await latestAppointment(workspace, appointmentId);
  const target = undoTarget(appointmentLifecycle, current.status);
  if (target === null) {
    throw new VisitStepRefused(
      `Nothing to undo: the appointment is ${appointmentStatusLabel(current.status).toLowerCase()}.`,
    );
  }
  const entry =
    current.status === 'checked-in' || current.status === 'arrived'
      ? await queueEntryOf(workspace, current, today)
      : null;
  if (entry && entry.status !== 'waiting' && entry.status !== 'left' && entry.status !== 'no-show') {
    throw new VisitStepRefused(
      `The patient has already been ${entry.status === 'called' ? 'called' : 'seen'}; step back on the queue board instead.`,
    );
  }
  const back = transitionRecord('appointments', current, target, db.clock, actor);
  await db.save('appointments', back);
  if (entry && entry.status === 'waiting') {
    await db.save('queueEntries', transitionRecord('queueEntries', entry, 'left', db.clock, actor));
  }
  return { from: current.status, to: target };
}

/** A message for a failed step: the rule's own words, else a calm generic one. */
export function failureMessage(failure: unknown, doing: string): string {
  return failure instanceof DomainError || failure instanceof VisitStepRefused
    ? failure.message
    : `${doing} could not be saved on this device.`;
}
