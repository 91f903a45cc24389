import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppointmentStatus } from './schemas/appointment.js';
import { findOverlaps, freeSlots, holdsSlot, workingHours, type BookedTime, type WorkingPattern } from './slots.js';
import { zonedTimeToUtc } from './time.js';

const DR_PARK = '0190a000-0000-7000-8000-000000000004';
const DR_OSEI = '0190a000-0000-7000-8000-000000000005';
const BERLIN = 'Europe/Berlin';
const MONDAY = '2026-11-23';

const mornings: WorkingPattern = {
  providerId: DR_PARK,
  slotMinutes: 15,
  weeklyHours: [
    { weekday: 1, start: '08:00', end: '12:00' },
    { weekday: 3, start: '13:00', end: '17:00' },
  ],
  exceptions: [],
};

const local = (date: string, time: string, zone = BERLIN) => zonedTimeToUtc(date, time, zone).toISOString();

let ids = 0;
function booking(start: string, end: string, status: AppointmentStatus = 'booked', providerId = DR_PARK): BookedTime {
  ids += 1;
  return {
    id: `0190a000-0000-7000-8000-${String(ids).padStart(12, '0')}`,
    providerId,
    start: local(MONDAY, start),
    end: local(MONDAY, end),
    status,
  };
}

const startTimes = (slots: { start: string }[], zone = BERLIN) =>
  slots.map((s) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeStyle: 'short' }).format(new Date(s.start)));

describe('freeSlots', () => {
  it('cuts a working morning into slots of the schedule length', () => {
    const slots = freeSlots(mornings, [], MONDAY, BERLIN);
    expect(slots).toHaveLength(16);
    expect(slots[0]).toEqual({ start: '2026-11-23T07:00:00.000Z', end: '2026-11-23T07:15:00.000Z' });
    expect(startTimes(slots).at(-1)).toBe('11:45');
  });

  it('has no slots on a day the provider does not work', () => {
    expect(freeSlots(mornings, [], '2026-11-24', BERLIN)).toEqual([]);
  });

  it('leaves out every slot a booking touches, and only those', () => {
    const slots = freeSlots(mornings, [booking('09:00', '09:20')], MONDAY, BERLIN);
    expect(startTimes(slots)).not.toContain('09:00');
    expect(startTimes(slots)).not.toContain('09:15');
    expect(startTimes(slots)).toContain('08:45');
    expect(startTimes(slots)).toContain('09:30');
    expect(slots).toHaveLength(14);
  });

  it('gives back the time of cancelled, no-show and mistaken appointments, and ignores other providers', () => {
    const appointments = [
      booking('08:00', '08:15', 'cancelled'),
      booking('08:15', '08:30', 'noshow'),
      booking('08:30', '08:45', 'entered-in-error'),
      booking('08:45', '09:00', 'waitlist'),
      booking('09:00', '09:15', 'booked', DR_OSEI),
    ];
    expect(freeSlots(mornings, appointments, MONDAY, BERLIN)).toHaveLength(16);
  });

  it('keeps the time of pending, booked, arrived, checked-in and fulfilled appointments', () => {
    const statuses: AppointmentStatus[] = ['pending', 'booked', 'arrived', 'checked-in', 'fulfilled'];
    const times: [string, string][] = [
      ['08:00', '08:15'],
      ['09:00', '09:15'],
      ['10:00', '10:15'],
      ['11:00', '11:15'],
      ['11:45', '12:00'],
    ];
    const appointments = statuses.map((status, i) => booking(...times[i]!, status));
    expect(freeSlots(mornings, appointments, MONDAY, BERLIN)).toHaveLength(16 - 5);
    expect(statuses.every(holdsSlot)).toBe(true);
  });

  it('ignores a deleted appointment', () => {
    expect(freeSlots(mornings, [{ ...booking('08:00', '08:15'), _deleted: true }], MONDAY, BERLIN)).toHaveLength(16);
  });

  it('closes blocked time, and the whole day when the block has no times', () => {
    const training = {
      ...mornings,
      exceptions: [{ date: MONDAY, kind: 'block' as const, start: '10:00', end: '11:00', reason: 'training' }],
    };
    expect(startTimes(freeSlots(training, [], MONDAY, BERLIN))).not.toContain('10:30');
    expect(freeSlots(training, [], MONDAY, BERLIN)).toHaveLength(12);
    const away = {
      ...mornings,
      exceptions: [{ date: MONDAY, kind: 'block' as const, start: null, end: null, reason: null }],
    };
    expect(freeSlots(away, [], MONDAY, BERLIN)).toEqual([]);
    const afternoonOff = {
      ...mornings,
      exceptions: [{ date: MONDAY, kind: 'block' as const, start: '11:00', end: null, reason: null }],
    };
    expect(startTimes(freeSlots(afternoonOff, [], MONDAY, BERLIN)).at(-1)).toBe('10:45');
  });

  it('keeps the slot grid in place around a block that does not fall on it', () => {
    const dentist = {
      ...mornings,
      exceptions: [{ date: MONDAY, kind: 'block' as const, start: '09:05', end: '09:10', reason: null }],
    };
    const times = startTimes(freeSlots(dentist, [], MONDAY, BERLIN));
    expect(times).not.toContain('09:00');
    expect(times).toContain('09:15');
  });

  it('opens extra hours, joined with the weekly hours they touch and without duplicates', () => {
    const saturday = '2026-11-28';
    const extra = {
      ...mornings,
      exceptions: [
        { date: saturday, kind: 'extra' as const, start: '09:00', end: '10:00', reason: 'flu clinic' },
        { date: MONDAY, kind: 'extra' as const, start: '11:00', end: '13:00', reason: null },
        { date: MONDAY, kind: 'extra' as const, start: null, end: null, reason: 'no times: opens nothing' },
      ],
    };
    expect(freeSlots(extra, [], saturday, BERLIN)).toHaveLength(4);
    const monday = freeSlots(extra, [], MONDAY, BERLIN);
    expect(monday).toHaveLength(20);
    expect(new Set(monday.map((s) => s.start)).size).toBe(20);
    expect(workingHours(extra, MONDAY, BERLIN)).toEqual([
      { start: local(MONDAY, '08:00'), end: local(MONDAY, '13:00') },
    ]);
  });

  it("reads hours in the site's own time zone", () => {
    const slots = freeSlots(mornings, [], MONDAY, 'America/New_York');
    expect(slots[0]!.start).toBe('2026-11-23T13:00:00.000Z');
  });

  it('puts Monday hours on the right instants on the morning clocks go forward', () => {
    // 2026-03-30 is the Monday after Berlin moved to summer time.
    expect(freeSlots(mornings, [], '2026-03-30', BERLIN)[0]!.start).toBe('2026-03-30T06:00:00.000Z');
  });

  it('makes slots of real length through the night clocks go forward', () => {
    const nights: WorkingPattern = { ...mornings, weeklyHours: [{ weekday: 0, start: '01:00', end: '04:00' }] };
    // 01:00 to 04:00 on 2026-03-29 in Berlin is two real hours: 02:00-03:00 does not exist.
    const slots = freeSlots(nights, [], '2026-03-29', BERLIN);
    expect(slots).toHaveLength(8);
    for (const slot of slots) expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(15 * 60_000);
  });

  it('never offers a slot that overlaps a held booking, another slot, or lies outside working hours', () => {
    const times = ['08:00', '08:10', '08:20', '08:45', '09:00', '09:30', '10:05', '11:50', '12:00', '12:30'];
    const span = fc
      .tuple(fc.constantFrom(...times), fc.integer({ min: 5, max: 60 }))
      .map(([start, minutes]) => ({ start, minutes }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(span, fc.constantFrom<AppointmentStatus>('booked', 'cancelled', 'checked-in')), {
          maxLength: 8,
        }),
        fc.constantFrom(10, 15, 20, 30),
        (bookings, slotMinutes) => {
          const appointments = bookings.map(([{ start, minutes }, status]) => {
            const begins = local(MONDAY, start);
            const b = booking(start, start, status);
            return { ...b, start: begins, end: new Date(Date.parse(begins) + minutes * 60_000).toISOString() };
          });
          const slots = freeSlots({ ...mornings, slotMinutes }, appointments, MONDAY, BERLIN);
          const [open] = workingHours(mornings, MONDAY, BERLIN);
          for (const [i, slot] of slots.entries()) {
            expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(slotMinutes * 60_000);
            expect(slot.start >= open!.start && slot.end <= open!.end).toBe(true);
            expect(findOverlaps({ ...slot, id: 'new', providerId: DR_PARK, status: 'booked' }, appointments)).toEqual(
              [],
            );
            if (i > 0) expect(Date.parse(slot.start)).toBeGreaterThanOrEqual(Date.parse(slots[i - 1]!.end));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('findOverlaps', () => {
  const nine = booking('09:00', '09:20');

  it('finds the same provider booked at an overlapping time', () => {
    const clash = booking('09:10', '09:30');
    expect(findOverlaps(nine, [nine, clash])).toEqual([clash]);
  });

  it('lets back-to-back appointments be', () => {
    expect(findOverlaps(nine, [booking('09:20', '09:40'), booking('08:40', '09:00')])).toEqual([]);
  });

  it('ignores other providers and appointments that gave their time back', () => {
    const others = [
      booking('09:00', '09:20', 'booked', DR_OSEI),
      booking('09:00', '09:20', 'cancelled'),
      booking('09:00', '09:20', 'noshow'),
    ];
    expect(findOverlaps(nine, others)).toEqual([]);
  });

  it('finds nothing for an appointment that does not hold its time', () => {
    expect(findOverlaps({ ...nine, status: 'cancelled' }, [booking('09:00', '09:20')])).toEqual([]);
  });

  it('compares instants, not strings, whatever the timestamp precision', () => {
    const sameTime = { ...booking('09:00', '09:20'), start: '2026-11-23T08:00:00Z', end: '2026-11-23T08:20:00Z' };
    expect(findOverlaps(nine, [sameTime])).toEqual([sameTime]);
    const right = { ...booking('09:20', '09:40'), start: '2026-11-23T08:20:00Z', end: '2026-11-23T08:40:00Z' };
    expect(findOverlaps(nine, [right])).toEqual([]);
  });

  it('lists several clashes in time order', () => {
    const later = booking('09:15', '09:45');
    const earlier = booking('08:50', '09:05');
    expect(findOverlaps(nine, [later, earlier])).toEqual([earlier, later]);
  });
});
