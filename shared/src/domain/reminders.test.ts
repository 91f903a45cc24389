import { describe, expect, it } from 'vitest';
import { almostTurnFor, consentedChannels, dueReminderOffset, isStopKeyword, sendableAt } from './reminders.js';

const policy = { minutesBefore: [2880, 120] };
const start = '2026-03-04T15:00:00.000Z';
const at = (iso: string) => new Date(iso);

describe('which reminder is due', () => {
  it('is none before the first, then the 48-hour one, then the 2-hour one, and none once the visit starts', () => {
    expect(dueReminderOffset(policy, start, at('2026-03-02T14:59:00.000Z'))).toBeNull();
    expect(dueReminderOffset(policy, start, at('2026-03-02T15:00:00.000Z'))).toBe(2880);
    expect(dueReminderOffset(policy, start, at('2026-03-04T12:59:00.000Z'))).toBe(2880);
    expect(dueReminderOffset(policy, start, at('2026-03-04T13:00:00.000Z'))).toBe(120);
    expect(dueReminderOffset(policy, start, at('2026-03-04T15:00:00.000Z'))).toBeNull();
  });

  it('is only the latest for a visit booked late: no "in two days" an hour before', () => {
    expect(dueReminderOffset(policy, start, at('2026-03-04T14:00:00.000Z'))).toBe(120);
  });
});

describe('quiet hours', () => {
  const quiet = { start: '21:00', end: '08:00' };
  const zone = 'America/New_York';

  it('hold a message due in the evening until the next morning, site time', () => {
    // 22:30 in New York (EST, UTC-5) is 03:30Z; the message waits for 08:00 local, 13:00Z.
    expect(sendableAt(quiet, at('2026-03-03T03:30:00.000Z'), zone).toISOString()).toBe('2026-03-03T13:00:00.000Z');
  });

  it('hold a message due after midnight until that morning, and let a daytime one go at once', () => {
    expect(sendableAt(quiet, at('2026-03-03T07:00:00.000Z'), zone).toISOString()).toBe('2026-03-03T13:00:00.000Z');
    expect(sendableAt(quiet, at('2026-03-03T15:00:00.000Z'), zone).toISOString()).toBe('2026-03-03T15:00:00.000Z');
  });

  it('within one day (12:00 to 13:00) and without any', () => {
    expect(sendableAt({ start: '12:00', end: '13:00' }, at('2026-03-03T17:30:00.000Z'), zone).toISOString()).toBe(
      '2026-03-03T18:00:00.000Z',
    );
    expect(sendableAt(null, at('2026-03-03T03:30:00.000Z'), zone).toISOString()).toBe('2026-03-03T03:30:00.000Z');
  });
});

describe('consent', () => {
  const consent = {
    email: true,
    sms: false,
    almostTurnSms: true,
    changedAt: '2026-03-01T00:00:00.000Z',
    changedVia: 'desk' as const,
  };

  it('reaches a patient only on channels agreed to and with an address or number on file', () => {
    expect(consentedChannels({ email: 'a@b.c', phone: '+15550100', contactConsent: consent }, 'reminder')).toEqual([
      'email',
    ]);
    expect(consentedChannels({ email: null, phone: '+15550100', contactConsent: consent }, 'reminder')).toEqual([]);
    expect(consentedChannels({ email: 'a@b.c', phone: '+15550100', contactConsent: null }, 'reminder')).toEqual([]);
    expect(consentedChannels({ email: null, phone: '+15550100', contactConsent: consent }, 'almost-turn')).toEqual([
      'sms',
    ]);
  });

  it('reads STOP and its siblings in any case', () => {
    expect(isStopKeyword(' stop ')).toBe(true);
    expect(isStopKeyword('Unsubscribe')).toBe(true);
    expect(isStopKeyword('stop by later')).toBe(false);
  });
});

describe('"almost your turn"', () => {
  const entry = (
    id: string,
    checkedInAt: string,
    extra: Partial<{ status: string; calledAt: string | null; queue: string; priority: string }> = {},
  ) =>
    ({
      id,
      queue: 'reception',
      status: 'waiting',
      priority: 'normal',
      checkedInAt,
      calledAt: null,
      appointmentId: null,
      ...extra,
    }) as Parameters<typeof almostTurnFor>[0][number];
  const options = { appointmentsById: {} };

  it('is for the first in line once someone was called after they arrived, and nobody in an empty queue', () => {
    const waiting = [entry('b', '2026-03-02T09:10:00.000Z'), entry('c', '2026-03-02T09:20:00.000Z')];
    expect(almostTurnFor(waiting, 'reception', options)).toBeNull();
    const called = entry('a', '2026-03-02T09:00:00.000Z', { status: 'called', calledAt: '2026-03-02T09:30:00.000Z' });
    expect(almostTurnFor([...waiting, called], 'reception', options)?.id).toBe('b');
    expect(almostTurnFor([...waiting, called], 'lab', options)).toBeNull();
  });

  it('follows the derived order: an urgent arrival goes first', () => {
    const called = entry('a', '2026-03-02T09:00:00.000Z', { status: 'called', calledAt: '2026-03-02T09:30:00.000Z' });
    const urgent = entry('u', '2026-03-02T09:25:00.000Z', { priority: 'urgent' });
    expect(almostTurnFor([entry('b', '2026-03-02T09:10:00.000Z'), urgent, called], 'reception', options)?.id).toBe('u');
  });
});
