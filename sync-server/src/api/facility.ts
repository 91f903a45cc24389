import { roomAvailable, type FacilityContext, type Room, type RoomBooking } from '@medisync/shared/domain';
import type { Tx } from '#db/db';
import { HttpError } from '#http/errors';
import type { Doc, ServerRule } from '#sync/store';

/** Queries either the pool or a transaction can answer. */
type Query = (sql: string, params: unknown[]) => Promise<unknown[]>;

/** A pool (`Db`) or a transaction (`Tx`), as a plain row reader. */
export function rowsOf(source: { query: (sql: string, params: unknown[]) => Promise<unknown> }): Query {
  return async (sql, params) => {
    const result = (await source.query(sql, params)) as unknown[] | { rows: unknown[] };
    return Array.isArray(result) ? result : result.rows;
  };
}

/**
 * The site's rooms and the bookings of every provider that touch `span`, what
 * the facility rule judges a slot by (docs/architecture.md §9.8).
 */
export async function facilityAround(
  query: Query,
  siteId: string,
  span: { start: string; end: string },
): Promise<Omit<FacilityContext, 'visitType'>> {
  const rooms = (await query(`SELECT doc FROM rooms WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]`, [siteId])) as {
    doc: Room;
  }[];
  const bookings = (await query(
    `SELECT doc FROM appointments WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]
       AND doc->>'start' < $3 AND doc->>'end' > $2`,
    [siteId, span.start, span.end],
  )) as { doc: RoomBooking }[];
  return { rooms: rooms.map((r) => r.doc), bookings: bookings.map((b) => b.doc) };
}

/**
 * The API refuses a booking (or a move) whose visit needs a room kind or
 * equipment that no room can offer then, checked with the site locked like the
 * overlap rule. Devices offline run the same rule before they book.
 */
export const refuseWithoutRoom: ServerRule = async (tx: Tx, record, previous) => {
  const appointment = record as unknown as RoomBooking & { siteId: string };
  const before = previous as unknown as RoomBooking | undefined;
  const unchanged =
    before !== undefined &&
    before.start === appointment.start &&
    before.end === appointment.end &&
    before.visitType === appointment.visitType &&
    before.status === appointment.status;
  if (unchanged || !['booked', 'pending'].includes(appointment.status)) return record;
  const facility = await facilityAround(rowsOf(tx), appointment.siteId, appointment);
  if (roomAvailable({ ...facility, visitType: appointment.visitType }, appointment, appointment.id) === false) {
    throw new HttpError(409, 'no-room', 'no suitable room or equipment is available at that time', {
      field: 'start',
      visitType: appointment.visitType,
    });
  }
  return record as Doc;
};
