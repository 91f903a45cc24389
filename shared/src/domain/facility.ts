import type { Appointment } from './schemas/appointment.js';
import type { EquipmentState, Room, RoomKind } from './schemas/room.js';
import { holdsSlot, type BookedTime, type TimeSpan } from './slots.js';

/**
 * Rooms, their equipment and what a visit needs of them (docs/architecture.md §9.8).
 *
 * Pure like the slot rule it extends: the server's free slots and bookings and
 * an offline desk's booking screen ask the same questions of the records they
 * hold, so a slot whose only suitable room is under maintenance is free nowhere.
 */

/** What a visit needs of the room it happens in: one of these kinds, and every piece of this equipment. */
export interface FacilityNeed {
  roomKinds?: readonly RoomKind[];
  equipment?: readonly string[];
}

/**
 * Visit types that need a particular room or piece of equipment. Kept here, not
 * on sites: it is the clinic's medicine, the same at every site, and every
 * replica must judge a booking by the same table. A visit type not listed
 * needs only its provider.
 */
export const visitTypeNeeds: Readonly<Record<string, FacilityNeed>> = {
  ecg: { equipment: ['ECG machine'] },
  'minor-procedure': { roomKinds: ['procedure'] },
  'blood-draw': { roomKinds: ['lab'] },
  'well-child': { equipment: ['Infant scale'] },
};

export function facilityNeedOf(visitType: string): FacilityNeed | null {
  return visitTypeNeeds[visitType] ?? null;
}

/** What the facility rules need of a room; a full room record has it. */
export type FacilityRoom = Pick<Room, 'id' | 'kind' | 'equipment' | 'status' | 'equipmentState'> & {
  _deleted?: boolean;
};

/** What the facility rules need of a booking: whether it holds time, which room it has, and what it needs. */
export type RoomBooking = BookedTime & Pick<Appointment, 'visitType' | 'roomId'>;

/** The rooms and the site's bookings a slot for `visitType` is judged against. */
export interface FacilityContext {
  visitType: string;
  rooms: readonly FacilityRoom[];
  /** Every provider's bookings around the date: another provider's visit may hold the only suitable room. */
  bookings: readonly RoomBooking[];
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The state of a room's equipment by name: in service with nothing planned when the room records none. */
export function equipmentStateOf(room: Pick<Room, 'equipmentState'>, name: string): EquipmentState {
  return room.equipmentState?.find((s) => sameName(s.name, name)) ?? { name, status: 'in-service', maintenance: [] };
}

/** The room is of a suitable kind and has every piece of equipment the visit needs, usable or not. */
export function roomFits(room: FacilityRoom, need: FacilityNeed): boolean {
  if (room._deleted === true) return false;
  if (need.roomKinds !== undefined && !need.roomKinds.includes(room.kind)) return false;
  return (need.equipment ?? []).every((name) => room.equipment.some((have) => sameName(have, name)));
}

/** A piece of equipment can be used for the whole span: in service, and no maintenance window overlaps it. */
export function equipmentUsable(state: EquipmentState, span: TimeSpan): boolean {
  if (state.status !== 'in-service') return false;
  const start = Date.parse(span.start);
  const end = Date.parse(span.end);
  return !state.maintenance.some((w) => Date.parse(w.start) < end && start < Date.parse(w.end));
}

/**
 * The room fits the visit and can take it during the span: the room is not out
 * of service and the equipment the visit needs is usable throughout. A room
 * that is occupied or being cleaned now is still bookable later.
 */
export function roomUsable(room: FacilityRoom, need: FacilityNeed, span: TimeSpan): boolean {
  if (!roomFits(room, need) || room.status === 'out-of-service') return false;
  return (need.equipment ?? []).every((name) => equipmentUsable(equipmentStateOf(room, name), span));
}

/**
 * Whether a visit of the context's type has a room during `span`, or null when
 * the visit type needs no particular room. Other bookings that overlap the span
 * take rooms first: one with a room assigned holds that room; one without a room
 * whose visit type needs one takes one of its suitable rooms (the most
 * constrained bookings first), so two ECGs at once need two ECG rooms.
 * `exceptId` is the booking being moved, which never competes with itself.
 */
export function roomAvailable(context: FacilityContext, span: TimeSpan, exceptId?: string): boolean | null {
  const need = facilityNeedOf(context.visitType);
  if (need === null) return null;
  const start = Date.parse(span.start);
  const end = Date.parse(span.end);
  const overlapping = context.bookings.filter(
    (b) =>
      b.id !== exceptId &&
      b._deleted !== true &&
      holdsSlot(b.status) &&
      Date.parse(b.start) < end &&
      start < Date.parse(b.end),
  );
  const held = new Set(overlapping.flatMap((b) => (b.roomId === null ? [] : [b.roomId])));
  let free = context.rooms.filter((room) => !held.has(room.id) && roomUsable(room, need, span));
  const competing = overlapping
    .filter((b) => b.roomId === null)
    .map((b) => facilityNeedOf(b.visitType))
    .filter((n): n is FacilityNeed => n !== null)
    .map((n) => free.filter((room) => roomUsable(room, n, span)))
    .sort((a, b) => a.length - b.length);
  for (const candidates of competing) {
    const taken = candidates.find((room) => free.includes(room));
    if (taken !== undefined) free = free.filter((room) => room !== taken);
  }
  return free.length > 0;
}

/** The equipment of a room that cannot be used at `at`: out of service, or in a maintenance window then. */
export function equipmentDownAt(room: Pick<Room, 'equipment' | 'equipmentState'>, at: Date): EquipmentState[] {
  const instant = { start: at.toISOString(), end: new Date(at.getTime() + 1).toISOString() };
  return room.equipment.map((name) => equipmentStateOf(room, name)).filter((state) => !equipmentUsable(state, instant));
}

/**
 * The room's equipment states with one piece's state replaced by `update` of
 * it: what an admin's edit writes (the whole `equipmentState` field, which
 * merges as one value). Windows that ended before `now` are dropped on the way,
 * so a room never fills up with past maintenance.
 */
export function updateEquipment(
  room: Pick<Room, 'equipment' | 'equipmentState'>,
  name: string,
  update: (state: EquipmentState) => EquipmentState,
  now: Date,
): EquipmentState[] {
  if (!room.equipment.some((have) => sameName(have, name))) throw new Error(`the room has no ${name}`);
  const current = room.equipmentState ?? [];
  const next = update(equipmentStateOf(room, name));
  const states = current.some((s) => sameName(s.name, name))
    ? current.map((s) => (sameName(s.name, name) ? next : s))
    : [...current, next];
  const nowIso = now.toISOString();
  return states
    .filter((s) => room.equipment.some((have) => sameName(have, s.name)))
    .map((s) => ({ ...s, maintenance: s.maintenance.filter((w) => w.end > nowIso) }));
}

/**
 * Of the rooms a patient could be called to, those that can take their visit
 * now: for a visit type that needs a room kind or equipment, a suitable room
 * whose equipment is usable at `at`; for any other visit, all of them.
 */
export function roomsForVisit<U extends { room: FacilityRoom }>(
  uses: readonly U[],
  visitType: string | undefined,
  at: Date,
): U[] {
  const need = visitType === undefined ? null : facilityNeedOf(visitType);
  if (need === null) return [...uses];
  const instant = { start: at.toISOString(), end: new Date(at.getTime() + 1).toISOString() };
  return uses.filter((use) => roomUsable(use.room, need, instant));
}
