import { describe, expect, it } from 'vitest';
import { bookingsStillClash, lifecycleConflictOf, openFlags, otherRecordOf } from './attention.js';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import { mergeRecords } from './merge.js';
import { createRecord, resolveFlag, transitionRecord, type Actor } from './records.js';
import type { AttentionFlag } from './schemas/common.js';

const actor: Actor = { id: 'desk-user', role: 'desk', source: 'desk' };
const flag = (code: AttentionFlag['code'], raisedAt: string, resolvedAt: string | null = null): AttentionFlag => ({
  code,
  reason: 'because',
  raisedAt,
  resolvedAt,
  resolvedBy: resolvedAt ? 'someone' : null,
});

describe('open flags', () => {
  it('lists only unresolved flags, the newest first', () => {
    const attention = {
      'overlapping-booking:a': flag('overlapping-booking', '2026-11-30T09:00:00.000Z'),
      'overlapping-booking:b': flag('overlapping-booking', '2026-11-30T10:00:00.000Z'),
      'overlapping-booking:c': flag('overlapping-booking', '2026-11-30T11:00:00.000Z', '2026-11-30T11:05:00.000Z'),
    };
    expect(openFlags({ attention }).map((f) => f.key)).toEqual(['overlapping-booking:b', 'overlapping-booking:a']);
  });

  it('names the other record a flag is about, and none for a lifecycle conflict', () => {
    expect(otherRecordOf('overlapping-booking:0192aaaa-bbbb')).toBe('0192aaaa-bbbb');
    expect(otherRecordOf('probable-duplicate-patient:x')).toBe('x');
    expect(otherRecordOf('lifecycle:000001234-0000-node')).toBeNull();
  });
});

describe('bookings that clashed', () => {
  const base = { providerId: 'p', status: 'booked' as const };
  it('still clash while both hold overlapping times of one provider', () => {
    const a = { ...base, start: '2026-11-30T14:00:00.000Z', end: '2026-11-30T14:20:00.000Z' };
    expect(bookingsStillClash(a, { ...base, start: '2026-11-30T14:10:00.000Z', end: '2026-11-30T14:30:00.000Z' })).toBe(
      true,
    );
    // Moved to follow on, cancelled, or with another provider: nothing left to resolve.
    expect(bookingsStillClash(a, { ...base, start: '2026-11-30T14:20:00.000Z', end: '2026-11-30T14:40:00.000Z' })).toBe(
      false,
    );
    expect(bookingsStillClash(a, { ...a, status: 'cancelled' })).toBe(false);
    expect(bookingsStillClash(a, { ...a, providerId: 'q' })).toBe(false);
  });
});

describe('a no-show that met a check-in', () => {
  it('keeps the check-in, names the no-show, and lets the desk accept it as a new step', () => {
    const siteId = newId();
    const booked = createRecord(
      'appointments',
      {
        id: newId(),
        siteId,
        patientId: newId(),
        providerId: newId(),
        roomId: null,
        start: '2026-11-30T14:00:00.000Z',
        end: '2026-11-30T14:20:00.000Z',
        visitType: 'follow-up',
        status: 'booked',
        copayCents: null,
        notes: null,
      } as Parameters<typeof createRecord<'appointments'>>[1],
      new HybridClock('desk-a', () => Date.parse('2026-11-29T10:00:00.000Z')),
      actor,
    );
    // Offline, one desk checks the patient in while another marks the no-show.
    const checkedIn = transitionRecord(
      'appointments',
      booked,
      'checked-in',
      new HybridClock('desk-a', () => Date.parse('2026-11-30T14:05:00.000Z')),
      actor,
    );
    const noShow = transitionRecord(
      'appointments',
      booked,
      'noshow',
      new HybridClock('desk-b', () => Date.parse('2026-11-30T14:06:00.000Z')),
      actor,
    );
    const merged = mergeRecords('appointments', checkedIn, noShow);
    expect(merged.status).toBe('checked-in');
    const [open] = openFlags(merged);
    expect(open?.flag.code).toBe('lifecycle-conflict');
    const conflict = lifecycleConflictOf('appointments', merged, open!.key, 'desk');
    // Accepting the no-show takes the check-in back first: a checked-in appointment cannot become a no-show.
    expect(conflict).toMatchObject({
      current: 'checked-in',
      acceptSteps: ['booked', 'noshow'],
      event: { to: 'noshow' },
    });
    expect(lifecycleConflictOf('appointments', merged, open!.key, 'kiosk')?.acceptSteps).toEqual([]);
    const resolved = resolveFlag('appointments', merged, open!.key, actor, new Date('2026-11-30T14:10:00.000Z'));
    expect(openFlags(resolved)).toEqual([]);
    expect(resolved.needsAttention).toBe(false);
    expect(lifecycleConflictOf('appointments', merged, 'overlapping-booking:x', 'desk')).toBeNull();
  });
});
