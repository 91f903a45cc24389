import { describe, expect, it } from 'vitest';
import { bookAppointment, BookingError, firstAvailableSlots } from './booking.js';
import {
  equipmentDownAt,
  roomAvailable,
  roomsForVisit,
  updateEquipment,
  type FacilityContext,
  type FacilityRoom,
  type RoomBooking,
} from './facility.js';
import { HybridClock } from './hlc.js';
import { freeSlots, type WorkingPattern } from './slots.js';

const DR_PARK = '0190a000-0000-7000-8000-000000000004';
const DR_OSEI = '0190a000-0000-7000-8000-000000000005';
const MONDAY = '2026-11-23';
const at = (time: string) => `${MONDAY}T${time}:00.000Z`;

const mornings = (providerId: string): WorkingPattern => ({
  providerId,
  slotMinutes: 30,
  weeklyHours: [{ weekday: 1, start: '09:00', end: '11:00' }],
  exceptions: [],
});

const ecgRoom: FacilityRoom = {
  id: '0190a000-0000-7000-8000-00000000e002',
  kind: 'exam',
  equipment: ['Exam table', 'ECG machine'],
  status: 'available',
};
const plainRoom: FacilityRoom = {
  id: '0190a000-0000-7000-8000-00000000e001',
  kind: 'exam',
  equipment: ['Exam table'],
  status: 'available',
};

function withMaintenance(room: FacilityRoom, start: string, end: string): FacilityRoom {
  return {
    ...room,
    equipmentState: [
      {
        name: 'ECG machine',
        status: 'in-service',
        maintenance: [{ start: at(start), end: at(end), reason: 'Service' }],
      },
    ],
  };
}

let n = 0;
function booking(providerId: string, start: string, end: string, visitType: string, roomId: string | null = null) {
  n += 1;
  return {
    id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    providerId,
    start: at(start),
    end: at(end),
    status: 'booked',
    visitType,
    roomId,
  } satisfies RoomBooking;
}

const starts = (slots: { start: string }[]) => slots.map((s) => s.start.slice(11, 16));

describe('slots that need a room or equipment', () => {
  it('leaves out the slots during the maintenance of the only ECG machine, for ECGs only', () => {
    const facility = (visitType: string): FacilityContext => ({
      visitType,
      rooms: [plainRoom, withMaintenance(ecgRoom, '09:30', '10:15')],
      bookings: [],
    });
    expect(starts(freeSlots(mornings(DR_PARK), [], MONDAY, 'UTC', facility('ecg')))).toEqual(['09:00', '10:30']);
    expect(starts(freeSlots(mornings(DR_PARK), [], MONDAY, 'UTC', facility('follow-up')))).toHaveLength(4);
  });

  it('has no ECG slots while the machine is out of service, nor when its room is', () => {
    const broken = {
      ...ecgRoom,
      equipmentState: [{ name: 'ECG machine', status: 'out-of-service' as const, maintenance: [] }],
    };
    const closed = { ...ecgRoom, status: 'out-of-service' as const };
    for (const room of [broken, closed]) {
      expect(
        freeSlots(mornings(DR_PARK), [], MONDAY, 'UTC', { visitType: 'ecg', rooms: [room], bookings: [] }),
      ).toEqual([]);
    }
  });

  it("lets another provider's ECG take the only ECG room, whether or not it has a room assigned", () => {
    for (const roomId of [ecgRoom.id, null]) {
      const context = {
        visitType: 'ecg',
        rooms: [plainRoom, ecgRoom],
        bookings: [booking(DR_OSEI, '09:00', '09:30', 'ecg', roomId)],
      };
      expect(starts(freeSlots(mornings(DR_PARK), [], MONDAY, 'UTC', context))).toEqual(['09:30', '10:00', '10:30']);
      // The ECG being moved does not compete with itself.
      expect(roomAvailable(context, { start: at('09:00'), end: at('09:30') }, context.bookings[0]!.id)).toBe(true);
    }
  });

  it('first available skips the maintenance for every provider alike', () => {
    const context = { visitType: 'ecg', rooms: [withMaintenance(ecgRoom, '09:00', '10:30')], bookings: [] };
    const slots = firstAvailableSlots([mornings(DR_PARK), mornings(DR_OSEI)], [], MONDAY, 'UTC', context);
    expect(slots.map((s) => `${s.start.slice(11, 16)} ${s.providerId.slice(-1)}`)).toEqual(['10:30 4', '10:30 5']);
  });

  it('refuses to book an ECG into the maintenance window with no-room, and books it after', () => {
    const facility = { rooms: [withMaintenance(ecgRoom, '09:00', '10:00')], bookings: [] };
    const clock = new HybridClock('desk-1');
    const actor = { id: 'desk-1', role: 'desk' as const, source: 'desk' as const };
    const request = (start: string, end: string) => ({
      siteId: DR_OSEI,
      patientId: DR_OSEI,
      providerId: DR_PARK,
      start: at(start),
      end: at(end),
      visitType: 'ecg',
    });
    const refused = (() => {
      try {
        bookAppointment(request('09:30', '10:00'), [], clock, actor, facility);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(BookingError);
    expect((refused as BookingError).code).toBe('no-room');
    expect(bookAppointment(request('10:00', '10:30'), [], clock, actor, facility).status).toBe('booked');
  });

  it('names the equipment that is down at a moment', () => {
    const room = withMaintenance(ecgRoom, '09:00', '10:00');
    expect(equipmentDownAt(room, new Date(at('09:59'))).map((e) => e.name)).toEqual(['ECG machine']);
    expect(equipmentDownAt(room, new Date(at('10:00')))).toEqual([]);
  });
});

describe('updateEquipment', () => {
  it("replaces one piece's state, keeps the others and drops windows that have ended", () => {
    const room = {
      equipment: ['Exam table', 'ECG machine'],
      equipmentState: [
        { name: 'Exam table', status: 'out-of-service' as const, maintenance: [] },
        {
          name: 'ECG machine',
          status: 'in-service' as const,
          maintenance: [{ start: at('07:00'), end: at('08:00'), reason: 'Old' }],
        },
      ],
    };
    const planned = updateEquipment(
      room,
      'ecg machine',
      (s) => ({ ...s, maintenance: [...s.maintenance, { start: at('10:00'), end: at('11:00'), reason: 'Service' }] }),
      new Date(at('09:00')),
    );
    expect(planned).toEqual([
      room.equipmentState[0],
      {
        name: 'ECG machine',
        status: 'in-service',
        maintenance: [{ start: at('10:00'), end: at('11:00'), reason: 'Service' }],
      },
    ]);
    expect(() => updateEquipment(room, 'Centrifuge', (s) => s, new Date())).toThrow();
  });
});

describe('roomsForVisit', () => {
  it('offers an ECG patient only the ECG room, and not while its machine is in maintenance; others any room', () => {
    const uses = [{ room: plainRoom }, { room: withMaintenance(ecgRoom, '09:00', '10:00') }];
    expect(roomsForVisit(uses, 'ecg', new Date(at('10:00'))).map((u) => u.room.id)).toEqual([ecgRoom.id]);
    expect(roomsForVisit(uses, 'ecg', new Date(at('09:30')))).toEqual([]);
    expect(roomsForVisit(uses, 'follow-up', new Date(at('09:30')))).toHaveLength(2);
    expect(roomsForVisit(uses, undefined, new Date(at('09:30')))).toHaveLength(2);
  });
});
