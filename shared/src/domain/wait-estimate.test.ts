import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateWait, visitLength, type WaitEstimateInput, type WaitingParty } from './wait-estimate.js';

const now = new Date(Date.UTC(2026, 10, 23, 10, 0));
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
const followUps = (n: number): WaitingParty[] => Array.from({ length: n }, () => ({ visitType: 'follow-up' }));

const clinic: Omit<WaitEstimateInput, 'peopleAhead'> = {
  providersOnDuty: 2,
  recentServiceDurations: {},
  defaultsByVisitType: { 'follow-up': 15, 'new-patient': 40, 'walk-in': 10 },
  now,
};

describe('estimateWait', () => {
  it('is no wait at all when nobody is ahead and a provider is free', () => {
    expect(estimateWait({ ...clinic, peopleAhead: [] })).toEqual({ minutes: 0, low: 0, high: 0 });
  });

  it('is about 45 minutes with six 15-minute visits ahead and two providers', () => {
    const estimate = estimateWait({ ...clinic, peopleAhead: followUps(6) })!;
    expect(estimate.minutes).toBe(45);
    expect(estimate.low).toBeLessThan(45);
    expect(estimate.high).toBeGreaterThan(45);
  });

  it('is unknown, not a made-up number, when no provider is on duty', () => {
    expect(estimateWait({ ...clinic, providersOnDuty: 0, peopleAhead: followUps(3) })).toBeNull();
    expect(estimateWait({ ...clinic, providersOnDuty: 0, peopleAhead: [] })).toBeNull();
  });

  it("lets the clinic's recent pace outweigh the configured default", () => {
    const slowDay = { ...clinic, recentServiceDurations: { 'follow-up': [28, 30, 31, 29, 32] } };
    const estimate = estimateWait({ ...slowDay, providersOnDuty: 1, peopleAhead: followUps(1) })!;
    // Five recent visits of about 30 minutes against a default of 15.
    expect(estimate.minutes).toBeGreaterThan(22.5);
    expect(estimate.minutes).toBeLessThan(30);
    // Ten recent visits: the default hardly matters any more.
    expect(
      visitLength(
        Array.from({ length: 10 }, () => 30),
        15,
      ).expected,
    ).toBeGreaterThan(26);
  });

  it('uses only the most recent visits, and ignores nonsense durations', () => {
    const old = Array.from({ length: 40 }, () => 60);
    const today = Array.from({ length: 20 }, () => 15);
    expect(visitLength([...old, ...today], 15).expected).toBe(15);
    expect(visitLength([0, -5, Number.NaN, Number.POSITIVE_INFINITY], 15).expected).toBe(15);
  });

  it('counts urgent entries ahead like anyone else', () => {
    const ahead: WaitingParty[] = [{ visitType: 'follow-up' }, { visitType: 'follow-up' }];
    const withUrgent = [{ visitType: 'new-patient' }, ...ahead];
    const base = estimateWait({ ...clinic, providersOnDuty: 1, peopleAhead: ahead })!;
    const more = estimateWait({ ...clinic, providersOnDuty: 1, peopleAhead: withUrgent })!;
    expect(more.minutes - base.minutes).toBe(40);
  });

  it('waits for visits going on now to end', () => {
    const busy = { ...clinic, providersOnDuty: 1, inService: [{ visitType: 'new-patient', since: minutesAgo(25) }] };
    expect(estimateWait({ ...busy, peopleAhead: [] })!.minutes).toBe(15);
    const overrun = { ...busy, inService: [{ visitType: 'follow-up', since: minutesAgo(40) }] };
    // Already 25 minutes over: assumed to end soon, not to have ended.
    expect(estimateWait({ ...overrun, peopleAhead: [] })!.minutes).toBe(2);
  });

  it('times walk-ins by the walk-in default, or the fallback when there is none', () => {
    const walkIns: WaitingParty[] = [{ visitType: null }, { visitType: null }];
    expect(estimateWait({ ...clinic, providersOnDuty: 1, peopleAhead: walkIns })!.minutes).toBe(20);
    const unconfigured = { ...clinic, defaultsByVisitType: {} };
    expect(estimateWait({ ...unconfigured, providersOnDuty: 1, peopleAhead: walkIns })!.minutes).toBe(30);
  });

  it('sends the next patient to whichever provider comes free first', () => {
    // One long visit and two short ones ahead, two providers: the short ones go to the other provider.
    const ahead: WaitingParty[] = [
      { visitType: 'new-patient' },
      { visitType: 'follow-up' },
      { visitType: 'follow-up' },
    ];
    expect(estimateWait({ ...clinic, peopleAhead: ahead })!.minutes).toBe(30);
  });

  const scenario = fc.record({
    ahead: fc.array(fc.record({ visitType: fc.constantFrom('follow-up', 'new-patient', null) }), { maxLength: 15 }),
    providers: fc.integer({ min: 1, max: 4 }),
    recent: fc.array(fc.integer({ min: 3, max: 90 }), { maxLength: 12 }),
  });

  it('always gives a range around the estimate, and more people ahead never shortens it', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom('follow-up', 'new-patient', null),
        ({ ahead, providers, recent }, extra) => {
          const input = {
            ...clinic,
            providersOnDuty: providers,
            recentServiceDurations: { 'follow-up': recent },
            peopleAhead: ahead,
          };
          const estimate = estimateWait(input)!;
          expect(estimate.low).toBeLessThanOrEqual(estimate.minutes);
          expect(estimate.minutes).toBeLessThanOrEqual(estimate.high);
          const longer = estimateWait({ ...input, peopleAhead: [...ahead, { visitType: extra }] })!;
          expect(longer.minutes).toBeGreaterThanOrEqual(estimate.minutes);
          const moreHelp = estimateWait({ ...input, providersOnDuty: providers + 1 })!;
          expect(moreHelp.minutes).toBeLessThanOrEqual(estimate.minutes);
        },
      ),
      { numRuns: 200 },
    );
  });
});
