import {
  appointmentWait,
  checkAppointmentCode,
  checkInSettingsOf,
  createRecord,
  dayRangeUtc,
  initialLockoutState,
  kioskIntakeUpdate,
  newId,
  estimateWait,
  identityKey,
  localDateAt,
  orderQueue,
  peopleAhead,
  transitionReplica,
  WALK_IN_VISIT_TYPE,
  FALLBACK_VISIT_MINUTES,
  type KioskAppointment,
  type Patient,
  type QueueEntry,
  type Site,
} from '@medisync/shared/domain';
import { queueArrival, RECEPTION_QUEUE, type DeviceDatabase, type TicketDispenser } from '@medisync/shared/sync';
import type { CheckInReceipt, CheckInService, KioskAppointmentSummary } from './check-in-service.js';

const MAX_MATCHES = 10;
/** An appointment in one of these has had its patient here: its code has been used. */
const ARRIVED: readonly string[] = ['checked-in', 'arrived', 'fulfilled'];
/** Checked in and not yet seen: a patient asking again is told they are already here. */
const WAITING_TO_BE_SEEN: readonly string[] = ['checked-in', 'arrived'];
/** The kiosk's identity-search lockout, in the replica's local documents: a reload or a restart keeps it. */
const LOCKOUT_DOC = 'kiosk-lockout';
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
 * A walk-in registration creates the patient (write-only: the kiosk never
 * reads patients back) and queues them without an appointment; an intake
 * update sends only the fields the patient changed.
 *
 * A reminder's code is looked up by its hash under the site and today's date
 * (reminders-code.ts): the replica holds the hash, never the code, so this
 * works offline too once today's appointments have synced.
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
  /** The selector for today's appointment with a reminder's code; null for a code that is none of today's. */
  const codeMatch = (code: string) => {
    const check = checkAppointmentCode(code, device.site.id, localDateAt(now(), timeZone));
    return check.ok ? { checkInCodeHash: check.hash } : null;
  };
  // The kiosk replica stores the kiosk projection of appointments.
  const appointments = () =>
    db.rx.appointments as unknown as {
      find(query: object): { exec(): Promise<{ toJSON(): KioskAppointment }[]> };
      findOne(id: string): { exec(): Promise<{ toJSON(): KioskAppointment } | null> };
    };

  const actor = { id: device.deviceId, role: 'kiosk' as const, source: 'kiosk' as const };
  const site = async () => (await db.rx.sites.findOne(device.site.id).exec())?.toJSON() as Site | undefined;
  const local = db.rx as unknown as {
    getLocal(id: string): Promise<{ get(field: string): unknown } | null>;
    upsertLocal(id: string, data: object): Promise<unknown>;
  };

  async function queue(
    arrival: { appointmentId: string | null; patientId: string },
    appointmentStart: string | null,
  ): Promise<CheckInReceipt> {
    const current = await site();
    if (current === undefined) return { ticketCode: null, wait: null };
    const at = now();
    const entry = await queueArrival(db, tickets, current, arrival, actor, at);
    const appointmentsById: Record<string, { start: string }> =
      arrival.appointmentId !== null && appointmentStart !== null
        ? { [arrival.appointmentId]: { start: appointmentStart } }
        : {};
    const estimate = await waitEstimate(db, entry.id, today(), at, appointmentsById);
    return { ticketCode: entry.ticketCode, wait: appointmentWait(estimate, appointmentStart, at) };
  }

  return {
    timeZone,
    async settings() {
      return checkInSettingsOf(await site());
    },
    async find(query) {
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
    async alreadyHere(query) {
      const { start, end } = today();
      const match =
        query.kind === 'identity' ? { identityKey: identityKey(query.familyName, query.dob) } : codeMatch(query.code);
      if (match === null) return null;
      const [doc] = await appointments()
        .find({
          selector: { start: { $gte: start, $lt: end }, status: { $in: [...WAITING_TO_BE_SEEN] }, ...match },
          sort: [{ start: 'asc' }],
          limit: 1,
        })
        .exec();
      return doc === undefined ? null : summary(doc.toJSON());
    },
    async findByCode(code) {
      const check = checkAppointmentCode(code, device.site.id, localDateAt(now(), timeZone));
      if (!check.ok) return { kind: check.reason };
      const { start, end } = today();
      const [doc] = await appointments()
        .find({ selector: { start: { $gte: start, $lt: end }, checkInCodeHash: check.hash }, limit: 1 })
        .exec();
      if (doc === undefined) return { kind: 'not-found' };
      const appointment = doc.toJSON();
      if (ARRIVED.includes(appointment.status)) return { kind: 'used' };
      if (appointment.status !== 'booked') return { kind: 'unavailable' };
      return { kind: 'found', appointment: summary(appointment) };
    },
    async checkIn(appointmentId, intake) {
      const doc = await appointments().findOne(appointmentId).exec();
      if (doc === null) throw new Error('appointment not found on this kiosk');
      const appointment = doc.toJSON();
      if (intake !== undefined && (intake.phone !== undefined || intake.insurance !== undefined)) {
        const update = kioskIntakeUpdate({ id: appointment.patientId, siteId: appointment.siteId }, intake, db.clock);
        await db.save('patients', update as unknown as Patient);
      }
      const next = transitionReplica('kiosk', 'appointments', appointment, 'checked-in', db.clock, actor);
      await db.save('appointments', next);
      return queue({ appointmentId: appointment.id, patientId: appointment.patientId }, appointment.start);
    },
    async registerWalkIn(registration) {
      const patient = createRecord(
        'patients',
        {
          id: newId(),
          siteId: device.site.id,
          mrn: null,
          givenName: registration.givenName,
          familyName: registration.familyName,
          dob: registration.dob,
          // The desk asks what the kiosk does not: a lobby screen is no place for it.
          sex: 'unknown',
          phone: registration.phone,
          email: null,
          address: null,
          preferredLanguage: registration.preferredLanguage,
          insurance: null,
          active: true,
          mergedInto: null,
        },
        db.clock,
        actor,
      );
      await db.save('patients', patient);
      return queue({ appointmentId: null, patientId: patient.id }, null);
    },
    async loadLockout() {
      const doc = await local.getLocal(LOCKOUT_DOC);
      if (doc === null) return initialLockoutState;
      return {
        misses: (doc.get('misses') as number[]) ?? [],
        lockedUntil: (doc.get('lockedUntil') as number | null) ?? null,
      };
    },
    async saveLockout(state) {
      await local.upsertLocal(LOCKOUT_DOC, { misses: [...state.misses], lockedUntil: state.lockedUntil });
    },
  };
}

/**
 * Minutes until this entry is likely called: the people ahead in the derived
 * queue order (the kiosk's own new entry ordered by its appointment's start), the site's active providers, and the default visit length (a
 * kiosk holds no visit history). Null when no provider is on duty.
 */
async function waitEstimate(
  db: DeviceDatabase,
  entryId: string,
  day: { start: string; end: string },
  now: Date,
  appointmentsById: Record<string, { start: string }>,
): Promise<number | null> {
  const docs = await db.rx.queueEntries
    .find({
      selector: { queue: RECEPTION_QUEUE, checkedInAt: { $gte: day.start, $lt: day.end } },
      limit: MAX_QUEUE_ENTRIES,
    })
    .exec();
  const entries = docs.map((d) => d.toJSON() as QueueEntry);
  const ahead = peopleAhead(orderQueue(entries, { appointmentsById }), entryId);
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
