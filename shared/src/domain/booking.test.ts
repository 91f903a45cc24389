import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToWaitlist,
  bookAppointment,
  bookFromWaitlist,
  BookingError,
  cancelAppointment,
  cancellationReason,
  firstAvailableSlots,
  freedSlotOf,
  nextForFreedSlot,
  orderWaitlist,
  rescheduleAppointment,
  waitlistedAt,
} from './booking.js';
import { HybridClock } from './hlc.js';
import { mergeRecords } from './merge.js';
import { transitionRecord, type Actor } from './records.js';
import type { Appointment } from './schemas/appointment.js';
import { freeSlots, type WorkingPattern } from './slots.js';
import { zonedTimeToUtc } from './time.js';

const SITE = '0190a000-0000-7000-8000-000000000001';
const DR_PARK = '0190a000-0000-7000-8000-000000000004';
const DR_OSEI = '0190a000-0000-7000-8000-000000000005';
const MARIA = '0190a000-0000-7000-8000-0000000000a1';
const JONAS = '0190a000-0000-7000-8000-0000000000a2';
const AMINA = '0190a000-0000-7000-8000-0000000000a3';
const BERLIN = 'Europe/Berlin';
const MONDAY = '2026-11-23';
const SUNDAY_BEFORE = new Date('2026-11-22T12:00:00.000Z');

const desk: Actor = { id: 'user-desk', role: 'desk', source: 'desk' };
const at = (time: string, date = MONDAY) => zonedTimeToUtc(date, time, BERLIN).toISOString();

function deskClock(start = Date.parse('2026-11-20T08:00:00.000Z')) {
  let now = start;
  return { clock: new HybridClock('desk-1', () => (now += 1000)), advance: (ms: number) => (now += ms) };
}

function book(patientId: string, start: string, end: string, others: Appointment[] = [], providerId = DR_PARK) {
  const { clock } = deskClock();
  return bookAppointment(
    { siteId: SITE, patientId, providerId, start: at(start), end: at(end), visitType: 'follow-up' },
    others,
    clock,
    desk,
  );
}

describe('bookAppointment', () => {
  it('books a free slot as a booked appointment made by the desk', () => {
    const booked = book(MARIA, '09:00', '09:15');
    expect(booked).toMatchObject({ status: 'booked', patientId: MARIA, providerId: DR_PARK, start: at('09:00') });
    expect(booked.statusLog).toEqual([expect.objectContaining({ from: null, to: 'booked', by: 'user-desk' })]);
  });

  it('refuses an overlapping booking and names every clash, earliest first', () => {
    const early = book(MARIA, '09:00', '09:15');
    const late = book(JONAS, '09:15', '09:30');
    const attempt = () => book(AMINA, '09:10', '09:20', [late, early]);
    expect(attempt).toThrow(BookingError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'slot-taken' });
      expect((error as BookingError).clashes.map((c) => c.id)).toEqual([early.id, late.id]);
    }
  });

  it('books back to back, over cancelled time, and over another provider at the same time', () => {
    const before = book(MARIA, '09:00', '09:15');
    const { clock } = deskClock();
    const cancelled = cancelAppointment(book(JONAS, '09:15', '09:30'), 'unwell', clock, desk, SUNDAY_BEFORE);
    const otherProvider = book(JONAS, '09:15', '09:30', [], DR_OSEI);
    expect(book(AMINA, '09:15', '09:30', [before, cancelled, otherProvider]).status).toBe('booked');
  });

  it('agrees with freeSlots: a slot it lists can be booked, a slot it leaves out cannot', () => {
    const schedule: WorkingPattern = {
      providerId: DR_PARK,
      slotMinutes: 15,
      weeklyHours: [{ weekday: 1, start: '08:00', end: '10:00' }],
      exceptions: [],
    };
    const grid = freeSlots(schedule, [], MONDAY, BERLIN);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: grid.length - 1 }), { maxLength: 6 }), (taken) => {
        const { clock } = deskClock();
        const bookings = taken.map((i) =>
          bookAppointment(
            { siteId: SITE, patientId: MARIA, providerId: DR_PARK, ...grid[i]!, visitType: 'follow-up' },
            [],
            clock,
            desk,
          ),
        );
        const free = new Set(freeSlots(schedule, bookings, MONDAY, BERLIN).map((s) => s.start));
        for (const slot of grid) {
          const request = { siteId: SITE, patientId: JONAS, providerId: DR_PARK, ...slot, visitType: 'follow-up' };
          const outcome = (() => {
            try {
              bookAppointment(request, bookings, clock, desk);
              return true;
            } catch {
              return false;
            }
          })();
          expect(outcome).toBe(free.has(slot.start));
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('rescheduleAppointment', () => {
  it('moves a booking to a free time and wins the merge against an older copy', () => {
    const original = book(MARIA, '09:00', '09:15');
    const { clock } = deskClock(Date.parse('2026-11-21T08:00:00.000Z'));
    const moved = rescheduleAppointment(
      original,
      { providerId: DR_OSEI, start: at('11:00'), end: at('11:15') },
      [original],
      clock,
      desk,
    );
    expect(moved).toMatchObject({ id: original.id, providerId: DR_OSEI, start: at('11:00'), status: 'booked' });
    expect(mergeRecords('appointments', original, moved)).toMatchObject({ start: at('11:00'), end: at('11:15') });
  });

  it('moves a double booking off its clash (the inbox’s "move one") but not onto another booking', () => {
    const first = book(MARIA, '09:00', '09:15');
    const second = { ...book(JONAS, '09:20', '09:35'), start: at('09:00'), end: at('09:15') };
    const later = book(AMINA, '10:00', '10:15');
    const { clock } = deskClock();
    const move = (start: string, end: string) =>
      rescheduleAppointment(
        second,
        { providerId: DR_PARK, start: at(start), end: at(end) },
        [first, second, later],
        clock,
        desk,
      );
    expect(move('09:15', '09:30').start).toBe(at('09:15'));
    expect(() => move('09:00', '09:15')).toThrow(expect.objectContaining({ code: 'slot-taken' }));
    expect(() => move('10:05', '10:20')).toThrow(expect.objectContaining({ code: 'slot-taken' }));
  });

  it('does not move an appointment the patient has already arrived for', () => {
    const { clock } = deskClock();
    const original = book(MARIA, '09:00', '09:15');
    const to = { providerId: DR_PARK, start: at('10:00'), end: at('10:15') };
    const checkedIn = transitionRecord('appointments', original, 'checked-in', clock, desk);
    expect(() => rescheduleAppointment(checkedIn, to, [], clock, desk)).toThrow(
      expect.objectContaining({ code: 'not-movable' }),
    );
    expect(() => cancelAppointment(checkedIn, 'changed mind', clock, desk, SUNDAY_BEFORE)).toThrow(
      expect.objectContaining({ code: 'not-cancellable' }),
    );
  });
});

describe('cancelAppointment', () => {
  it('needs a reason and keeps it on the record beside earlier notes', () => {
    const { clock } = deskClock();
    const original = { ...book(MARIA, '09:00', '09:15'), notes: 'needs interpreter' };
    expect(() => cancelAppointment(original, '   ', clock, desk, SUNDAY_BEFORE)).toThrow(
      expect.objectContaining({ code: 'reason-required' }),
    );
    const cancelled = cancelAppointment(original, '  Patient\n unwell ', clock, desk, SUNDAY_BEFORE);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.notes).toBe('needs interpreter\nCancelled 2026-11-22: Patient unwell');
    expect(cancellationReason(cancelled)).toBe('Patient unwell');
    expect(cancellationReason(original)).toBeNull();
  });

  it('gives the time back: the slot is free again', () => {
    const schedule: WorkingPattern = {
      providerId: DR_PARK,
      slotMinutes: 15,
      weeklyHours: [{ weekday: 1, start: '09:00', end: '10:00' }],
      exceptions: [],
    };
    const { clock } = deskClock();
    const booked = book(MARIA, '09:00', '09:15');
    expect(freeSlots(schedule, [booked], MONDAY, BERLIN)).toHaveLength(3);
    const cancelled = cancelAppointment(booked, 'unwell', clock, desk, SUNDAY_BEFORE);
    expect(freeSlots(schedule, [cancelled], MONDAY, BERLIN)).toHaveLength(4);
  });
});

describe('the waitlist', () => {
  function waitlist(patientId: string, clock: HybridClock, visitType = 'follow-up', toDate = '2026-11-27') {
    return addToWaitlist(
      { siteId: SITE, patientId, providerId: DR_PARK, visitType, fromDate: MONDAY, toDate, timeZone: BERLIN },
      clock,
      desk,
    );
  }

  it('is an appointment in waitlist status over the days the patient could come, holding no time', () => {
    const { clock } = deskClock();
    const entry = waitlist(MARIA, clock);
    expect(entry).toMatchObject({ status: 'waitlist', start: at('00:00'), end: at('00:00', '2026-11-28') });
    expect(waitlistedAt(entry)).toBe(entry.statusLog[0]!.hlc);
    expect(book(JONAS, '09:00', '09:15', [entry]).status).toBe('booked');
  });

  it('offers a freed slot to whoever was waitlisted first, for that provider and visit type only', () => {
    const { clock, advance } = deskClock();
    const vaccination = waitlist(AMINA, clock, 'vaccination');
    advance(60_000);
    const jonas = waitlist(JONAS, clock);
    advance(60_000);
    const maria = waitlist(MARIA, clock);
    const freed = freedSlotOf(book(MARIA, '09:00', '09:15'));
    expect(nextForFreedSlot(freed, [maria, vaccination, jonas], [], SUNDAY_BEFORE)?.id).toBe(jonas.id);
    expect(nextForFreedSlot({ ...freed, providerId: DR_OSEI }, [maria, jonas], [], SUNDAY_BEFORE)).toBeNull();
    expect(
      nextForFreedSlot({ ...freed, visitType: 'vaccination' }, [maria, jonas, vaccination], [], SUNDAY_BEFORE)?.id,
    ).toBe(vaccination.id);
  });

  it('passes over a patient who is busy then, whose window misses the slot, or who has left the waitlist', () => {
    const { clock, advance } = deskClock();
    const maria = waitlist(MARIA, clock);
    advance(1000);
    const soon = waitlist(AMINA, clock, 'follow-up', '2026-11-23');
    advance(1000);
    const jonas = waitlist(JONAS, clock);
    const freed = {
      ...freedSlotOf(book(MARIA, '09:00', '09:15')),
      start: at('09:00', '2026-11-24'),
      end: at('09:15', '2026-11-24'),
    };
    const mariaBusy = {
      ...book(MARIA, '08:50', '09:05'),
      start: at('08:50', '2026-11-24'),
      end: at('09:05', '2026-11-24'),
    };
    expect(nextForFreedSlot(freed, [jonas, soon, maria], [mariaBusy], SUNDAY_BEFORE)?.id).toBe(jonas.id);
    const bookedJonas = bookFromWaitlist(jonas, freed, [], clock, desk);
    expect(nextForFreedSlot(freed, [bookedJonas, soon, maria], [mariaBusy], SUNDAY_BEFORE)).toBeNull();
    expect(nextForFreedSlot(freed, [maria], [], new Date(at('09:01', '2026-11-24')))).toBeNull();
  });

  it('books the waitlisted patient into the freed slot: the entry becomes the booking', () => {
    const { clock } = deskClock();
    const entry = waitlist(MARIA, clock);
    const freed = freedSlotOf(book(JONAS, '09:00', '09:15'));
    const booked = bookFromWaitlist(entry, freed, [], clock, desk);
    expect(booked).toMatchObject({ id: entry.id, status: 'booked', start: freed.start, end: freed.end });
    expect(booked.statusLog.map((e) => e.to)).toEqual(['waitlist', 'booked']);
    expect(() => bookFromWaitlist(booked, freed, [], clock, desk)).toThrow(BookingError);
  });

  it('orders by when each entry went onto the waitlist, whatever order the replica lists them in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer(), (count, seed) => {
        const { clock, advance } = deskClock();
        const entries = Array.from({ length: count }, () => {
          advance(1000);
          return waitlist(MARIA, clock);
        });
        const shuffled = [...entries].sort(
          (a, b) => ((a.id.charCodeAt(30) * seed) % 7) - ((b.id.charCodeAt(30) * seed) % 7),
        );
        expect(orderWaitlist(shuffled).map((e) => e.id)).toEqual(entries.map((e) => e.id));
      }),
    );
  });
});

describe('firstAvailableSlots', () => {
  it('lists every provider’s free slots, earliest first', () => {
    const park: WorkingPattern = {
      providerId: DR_PARK,
      slotMinutes: 30,
      weeklyHours: [{ weekday: 1, start: '09:00', end: '10:00' }],
      exceptions: [],
    };
    const osei: WorkingPattern = {
      ...park,
      providerId: DR_OSEI,
      weeklyHours: [{ weekday: 1, start: '08:30', end: '09:30' }],
    };
    const slots = firstAvailableSlots([park, osei], [book(MARIA, '09:00', '09:30')], MONDAY, BERLIN);
    expect(slots.map((s) => [s.providerId, s.start])).toEqual([
      [DR_OSEI, at('08:30')],
      [DR_OSEI, at('09:00')],
      [DR_PARK, at('09:30')],
    ]);
  });
});
