import {
  dayRangeUtc,
  estimateWait,
  identityKey,
  localDateAt,
  orderQueue,
  peopleAhead,
  transitionReplica,
  WALK_IN_VISIT_TYPE,
  FALLBACK_VISIT_MINUTES,
  type KioskAppointment,
  type QueueEntry,
  type Site,
} from '@medisync/shared/domain';
import { queueArrival, RECEPTION_QUEUE, type DeviceDatabase, type TicketDispenser } from '@medisync/shared/sync';
import type { CheckInService, KioskAppointmentSummary } from './check-in-service.js';

const MAX_MATCHES = 10;
/** Today's reception queue at one site, bounded all the same. */
const MAX_QUEUE_ENTRIES = 1000;

/**
 * Check-in against the kiosk's own replica, so it works with the server down:
 * today's appointments (kiosk projection) found by identity key, checked in
 * with the kiosk's lifecycle rights and saved locally; sync pushes it.
 *
 * A check-in also queues the patient at reception with a ticket code from the
 * kiosk's leased block (or its own fallback code offline) and estimates the
 * wait from the queue the kiosk holds.
 *
 * Not yet here, because shared/ does not provide them yet: reminder codes (no
 * field or rule defines them, so a code never matches).
 */
export function replicaCheckInService(
  db: DeviceDatabase,
  device: { deviceId: string; site: { id: string; timezone: string } },
  tickets: TicketDispenser,
  now: () => Date = () => new Date(),
): CheckInService {
  const timeZone = device.site.timezone;
  const today = () => {
    const { start, end } = dayRangeUtc(localDateAt(now(), timeZone), timeZone);
    return { start: start.toISOString(), end: end.toISOString() };
  };
  // The kiosk replica stores the kiosk projection of appointments.
  const appointments = () =>
    db.rx.appointments as unknown as {
      find(query: object): { exec(): Promise<{ toJSON(): KioskAppointment }[]> };
      findOne(id: string): { exec(): Promise<{ toJSON(): KioskAppointment } | null> };
    };

  const waitFor = (entryId: string) => waitEstimate(db, entryId, today(), now());

  return {
    timeZone,
    async find(query) {
      if (query.kind !== 'identity') return [];
      const { start, end } = today();
      const docs = await appointments()
        .find({
          selector: {
            start: { $gte: start, $lt: end },
            identityKey: identityKey(query.familyName, query.dob),
            status: 'booked',
          },
          sort: [{ start: 'asc' }],
          limit: MAX_MATCHES,
        })
        .exec();
      return docs.map((doc) => summary(doc.toJSON()));
    },
    async checkIn(appointmentId) {
      const doc = await appointments().findOne(appointmentId).exec();
      if (doc === null) throw new Error('appointment not found on this kiosk');
      const actor = { id: device.deviceId, role: 'kiosk' as const, source: 'kiosk' as const };
      const appointment = doc.toJSON();
      const next = transitionReplica('kiosk', 'appointments', appointment, 'checked-in', db.clock, actor);
      await db.save('appointments', next);

      const site = (await db.rx.sites.findOne(device.site.id).exec())?.toJSON() as Site | undefined;
      if (site === undefined) return { ticketCode: null, waitMinutes: null };
      const entry = await queueArrival(
        db,
        tickets,
        site,
        { appointmentId: appointment.id, patientId: appointment.patientId },
        actor,
        now(),
      );
      return { ticketCode: entry.ticketCode, waitMinutes: await waitFor(entry.id) };
    },
  };
}

/**
 * Minutes until this entry is likely called: the people ahead in the derived
 * queue order, the site's active providers, and the default visit length (a
 * kiosk holds no visit history). Null when no provider is on duty.
 */
async function waitEstimate(
  db: DeviceDatabase,
  entryId: string,
  day: { start: string; end: string },
  now: Date,
): Promise<number | null> {
  const docs = await db.rx.queueEntries
    .find({
      selector: { queue: RECEPTION_QUEUE, checkedInAt: { $gte: day.start, $lt: day.end } },
      limit: MAX_QUEUE_ENTRIES,
    })
    .exec();
  const entries = docs.map((d) => d.toJSON() as QueueEntry);
  const ahead = peopleAhead(orderQueue(entries, { appointmentsById: {} }), entryId);
  const providers = await db.rx.providers.find({ selector: { active: true } }).exec();
  const estimate = estimateWait({
    peopleAhead: ahead.map(() => ({ visitType: null })),
    providersOnDuty: providers.length,
    inService: entries
      .filter((e) => e.status === 'in-room' && e.calledAt !== null)
      .map((e) => ({ visitType: null, since: e.calledAt! })),
    recentServiceDurations: {},
    defaultsByVisitType: { [WALK_IN_VISIT_TYPE]: FALLBACK_VISIT_MINUTES },
    now,
  });
  return estimate?.minutes ?? null;
}

function summary(appointment: KioskAppointment): KioskAppointmentSummary {
  return {
    id: appointment.id,
    start: appointment.start,
    providerDisplayName: appointment.providerDisplayName,
    patientGivenName: appointment.patientGivenName,
    patientFamilyInitial: appointment.patientFamilyInitial,
  };
}
