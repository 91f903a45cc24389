import {
  dayRangeUtc,
  identityKey,
  localDateAt,
  transitionReplica,
  type KioskAppointment,
} from '@medisync/shared/domain';
import type { DeviceDatabase } from '@medisync/shared/sync';
import type { CheckInService, KioskAppointmentSummary } from './check-in-service.js';

const MAX_MATCHES = 10;

/**
 * Check-in against the kiosk's own replica, so it works with the server down:
 * today's appointments (kiosk projection) found by identity key, checked in
 * with the kiosk's lifecycle rights and saved locally; sync pushes it.
 *
 * Not yet here, because shared/ does not provide them yet: reminder codes (no
 * field or rule defines them, so a code never matches) and the queue entry
 * with a ticket code from a leased block (ticket leasing, DESIGN section 4),
 * so the receipt has no ticket and no wait estimate for now.
 */
export function replicaCheckInService(
  db: DeviceDatabase,
  device: { deviceId: string; site: { timezone: string } },
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
      const next = transitionReplica('kiosk', 'appointments', doc.toJSON(), 'checked-in', db.clock, {
        id: device.deviceId,
        role: 'kiosk',
        source: 'kiosk',
      });
      await db.save('appointments', next);
      return { ticketCode: null, waitMinutes: null };
    },
  };
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
