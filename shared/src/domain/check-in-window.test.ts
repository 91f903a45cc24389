import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appointmentWait, checkInSettingsOf, checkInWindow, DEFAULT_CHECK_IN_SETTINGS } from './check-in-window.js';
import { siteSchema } from './schemas/site.js';

const start = '2026-03-02T18:00:00.000Z';
const at = (iso: string) => new Date(iso);

describe('kiosk check-in window', () => {
  it('gives a site without check-in settings the defaults, and fills in the ones it leaves out', () => {
    expect(checkInSettingsOf({})).toEqual(DEFAULT_CHECK_IN_SETTINGS);
    expect(checkInSettingsOf(null)).toEqual(DEFAULT_CHECK_IN_SETTINGS);
    expect(checkInSettingsOf({ checkIn: { ...DEFAULT_CHECK_IN_SETTINGS, walkIns: true } }).walkIns).toBe(true);
  });

  it('accepts a site record with and without check-in settings', () => {
    const site = {
      id: '01900000-0000-7000-8000-000000000001',
      clocks: {},
      attention: {},
      needsAttention: false,
      name: 'Clinic',
      timezone: 'Europe/Berlin',
      queuePrefixes: { reception: 'A' },
    };
    expect(siteSchema.safeParse(site).success).toBe(true);
    expect(siteSchema.safeParse({ ...site, checkIn: DEFAULT_CHECK_IN_SETTINGS }).success).toBe(true);
    expect(
      siteSchema.safeParse({ ...site, checkIn: { ...DEFAULT_CHECK_IN_SETTINGS, tooEarly: 'maybe' } }).success,
    ).toBe(false);
  });

  it('opens earliestMinutesBefore the start and closes latestMinutesAfter it', () => {
    const settings = { ...DEFAULT_CHECK_IN_SETTINGS, earliestMinutesBefore: 30, latestMinutesAfter: 10 };
    expect(checkInWindow({ start }, at('2026-03-02T17:29:59.000Z'), settings)).toEqual({
      kind: 'too-early',
      opensAt: '2026-03-02T17:30:00.000Z',
      allowed: false,
    });
    expect(checkInWindow({ start }, at('2026-03-02T17:30:00.000Z'), settings)).toEqual({ kind: 'open' });
    expect(checkInWindow({ start }, at('2026-03-02T18:10:00.000Z'), settings)).toEqual({ kind: 'open' });
    expect(checkInWindow({ start }, at('2026-03-02T18:10:01.000Z'), settings)).toEqual({
      kind: 'too-late',
      closedAt: '2026-03-02T18:10:00.000Z',
    });
  });

  it('lets an early patient check in where the clinic allows it', () => {
    const settings = { ...DEFAULT_CHECK_IN_SETTINGS, tooEarly: 'allow-and-tell-desk' as const };
    expect(checkInWindow({ start }, at('2026-03-02T07:00:00.000Z'), settings)).toMatchObject({
      kind: 'too-early',
      allowed: true,
    });
  });

  it('is open, early or late exactly once for any time and settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -24 * 60, max: 24 * 60 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        (offset, before, after) => {
          const now = new Date(Date.parse(start) + offset * 60_000);
          const settings = { ...DEFAULT_CHECK_IN_SETTINGS, earliestMinutesBefore: before, latestMinutesAfter: after };
          const window = checkInWindow({ start }, now, settings);
          const expected = offset < -before ? 'too-early' : offset > after ? 'too-late' : 'open';
          expect(window.kind).toBe(expected);
        },
      ),
    );
  });
});

describe("a patient's wait for their appointment", () => {
  it('never says "about 0 minutes" to a patient eleven hours early', () => {
    expect(appointmentWait(0, start, at('2026-03-02T07:00:00.000Z'))).toEqual({ minutes: 660, byAppointment: true });
    expect(appointmentWait(null, start, at('2026-03-02T07:00:00.000Z'))).toEqual({ minutes: 660, byAppointment: true });
  });

  it("gives the queue's estimate when it is later than the start, and to walk-ins and late patients", () => {
    expect(appointmentWait(25, start, at('2026-03-02T17:50:00.000Z'))).toEqual({ minutes: 25, byAppointment: false });
    expect(appointmentWait(12, null, at('2026-03-02T17:50:00.000Z'))).toEqual({ minutes: 12, byAppointment: false });
    expect(appointmentWait(12, start, at('2026-03-02T18:05:00.000Z'))).toEqual({ minutes: 12, byAppointment: false });
    expect(appointmentWait(null, start, at('2026-03-02T18:05:00.000Z'))).toBeNull();
  });

  it('is never earlier than the appointment, nor than the queue estimate', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 600 })),
        fc.integer({ min: -600, max: 24 * 60 }),
        (estimate, minutesBefore) => {
          const now = new Date(Date.parse(start) - minutesBefore * 60_000);
          const wait = appointmentWait(estimate, start, now);
          if (minutesBefore > 0) expect(wait!.minutes).toBeGreaterThanOrEqual(minutesBefore);
          if (estimate !== null) expect(wait!.minutes).toBeGreaterThanOrEqual(estimate);
        },
      ),
    );
  });
});
