import { describe, expect, it } from 'vitest';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import { mergeRecords } from './merge.js';
import { changeRecord, createRecord, DomainError, transitionRecord, type Actor } from './records.js';

const desk: Actor = { id: 'user-desk', role: 'desk', source: 'desk' };
const kiosk: Actor = { id: 'device-kiosk', role: 'kiosk', source: 'kiosk' };

function appointment(clock: HybridClock) {
  return createRecord(
    'appointments',
    {
      id: newId(),
      siteId: newId(),
      patientId: newId(),
      providerId: newId(),
      roomId: null,
      start: '2026-11-22T09:00:00.000Z',
      end: '2026-11-22T09:20:00.000Z',
      visitType: 'follow-up',
      status: 'booked',
      copayCents: 2500,
      notes: null,
    },
    clock,
    desk,
  );
}

describe('records', () => {
  it('keeps both offline edits to different fields of one patient visit', () => {
    let now = 1_000;
    const a = new HybridClock('device-a', () => now);
    const b = new HybridClock('device-b', () => now);
    const base = appointment(a);
    now += 10;
    const left = changeRecord('appointments', base, { notes: 'needs interpreter' }, a);
    const right = changeRecord('appointments', base, { copayCents: 4000 }, b);
    const merged = mergeRecords('appointments', left, right);
    expect(merged.notes).toBe('needs interpreter');
    expect(merged.copayCents).toBe(4000);
    expect(mergeRecords('appointments', right, left)).toEqual(merged);
  });

  it('lets a check-in beat a concurrent no-show and flags the no-show', () => {
    let now = 1_000;
    const a = new HybridClock('device-a', () => now);
    const b = new HybridClock('device-b', () => now);
    const base = appointment(a);
    now += 10;
    const noShow = transitionRecord('appointments', base, 'noshow', a, desk);
    now += 10;
    const checkedIn = transitionRecord('appointments', base, 'checked-in', b, kiosk);
    const merged = mergeRecords('appointments', noShow, checkedIn);
    expect(merged.status).toBe('checked-in');
    expect(merged.checkInSource).toBe('kiosk');
    expect(merged.needsAttention).toBe(true);
    expect(Object.values(merged.attention).map((f) => f.code)).toEqual(['lifecycle-conflict']);
    expect(mergeRecords('appointments', checkedIn, noShow)).toEqual(merged);
  });

  it('refuses a step the lifecycle does not allow, saying why', () => {
    const clock = new HybridClock('device-a');
    const booked = appointment(clock);
    expect(() => transitionRecord('appointments', booked, 'fulfilled', clock, desk)).toThrow(
      /cannot go from "booked" to "fulfilled"/,
    );
    expect(() => transitionRecord('appointments', booked, 'cancelled', clock, kiosk)).toThrow(DomainError);
  });
});

describe('a status without a lifecycle', () => {
  it("is a room's plain field: set when the room is created and changed like any other", () => {
    const clock = new HybridClock('desk-a');
    const room = createRecord(
      'rooms',
      { id: newId(), siteId: newId(), name: 'Exam 2', kind: 'exam', equipment: [], status: 'available' },
      clock,
      desk,
    );
    expect(room.status).toBe('available');
    const cleaning = changeRecord('rooms', room, { status: 'cleaning' }, clock);
    expect(cleaning.status).toBe('cleaning');
    expect(cleaning.clocks.status! > room.clocks.status!).toBe(true);
    expect(() => transitionRecord('rooms', room, 'occupied', clock, desk)).toThrow(/have no lifecycle/);
  });
});
