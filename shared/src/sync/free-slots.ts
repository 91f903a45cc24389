import {
  dayRangeUtc,
  freeSlots,
  type Appointment,
  type FacilityContext,
  type Room,
  type Schedule,
  type TimeSpan,
} from '../domain/index.js';
import type { DeviceDatabase } from './database.js';

const DAY_MS = 86_400_000;
const MAX_ROOMS = 200;
const MAX_DAY_APPOINTMENTS = 1500;

/**
 * The site's rooms and every provider's bookings touching a site-local day, from
 * the device's replica only: what the facility rule needs (docs/architecture.md
 * §9.8), so a desk offline judges a slot by the rooms and maintenance it last synced.
 */
export async function facilityOnReplica(
  db: DeviceDatabase,
  siteId: string,
  date: string,
  timeZone: string,
): Promise<Omit<FacilityContext, 'visitType'>> {
  const day = dayRangeUtc(date, timeZone);
  const [rooms, bookings] = await Promise.all([
    db.rx.rooms.find({ selector: { siteId }, limit: MAX_ROOMS }).exec(),
    db.rx.appointments
      .find({
        // From a day before: a booking that starts the evening before can run into the day.
        selector: {
          siteId,
          start: { $gte: new Date(day.start.getTime() - DAY_MS).toISOString(), $lt: day.end.toISOString() },
        },
        limit: MAX_DAY_APPOINTMENTS,
      })
      .exec(),
  ]);
  return {
    rooms: rooms.map((doc) => doc.toJSON() as Room),
    bookings: bookings.map((doc) => doc.toJSON() as Appointment).filter((a) => a.end > day.start.toISOString()),
  };
}

/** A provider's free slots for a visit type on a site-local date, judged on the replica like the server judges them. */
export async function freeSlotsOnReplica(
  db: DeviceDatabase,
  request: { siteId: string; providerId: string; date: string; timeZone: string; visitType: string },
): Promise<TimeSpan[]> {
  const schedule = await db.rx.schedules
    .findOne({ selector: { siteId: request.siteId, providerId: request.providerId } })
    .exec();
  if (schedule === null) return [];
  const facility = await facilityOnReplica(db, request.siteId, request.date, request.timeZone);
  return freeSlots(schedule.toJSON() as Schedule, facility.bookings, request.date, request.timeZone, {
    ...facility,
    visitType: request.visitType,
  });
}
