import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayRangeUtc, localDateAt, localTimeAt, weekdayOf, zonedTimeToUtc } from './time.js';

const iso = (date: Date) => date.toISOString();
const hours = (range: { start: Date; end: Date }) => (range.end.getTime() - range.start.getTime()) / 3_600_000;

describe('zonedTimeToUtc', () => {
  it.each([
    ['an ordinary winter morning', '2026-01-15', '09:00', 'Europe/Berlin', '2026-01-15T08:00:00.000Z'],
    ['an ordinary summer morning', '2026-07-15', '09:00', 'America/New_York', '2026-07-15T13:00:00.000Z'],
    ['a zone 45 minutes off the hour', '2026-11-22', '09:00', 'Pacific/Chatham', '2026-11-21T19:15:00.000Z'],
    // Clocks go forward: the skipped time moves on by the length of the gap.
    ['a skipped time in Berlin', '2026-03-29', '02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    ['a skipped time in New York', '2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['a skipped half hour on Lord Howe', '2026-10-04', '02:15', 'Australia/Lord_Howe', '2026-10-03T15:45:00.000Z'],
    ['a skipped midnight in Santiago', '2026-09-06', '00:00', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    // Clocks go back: a time that occurs twice is the earlier one.
    ['a repeated time in Berlin', '2026-10-25', '02:30', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['a repeated time in New York', '2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['a repeated time on Lord Howe', '2026-04-05', '01:45', 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z'],
    ['a repeated midnight in Havana', '2026-11-01', '00:00', 'America/Havana', '2026-11-01T04:00:00.000Z'],
  ])('%s', (_, date, time, zone, expected) => {
    expect(iso(zonedTimeToUtc(date, time, zone))).toBe(expected);
  });

  it('round-trips every minute of the year back to the wall clock it was read from', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        (zone, ms) => {
          const instant = new Date(Math.floor(ms / 60_000) * 60_000);
          const date = localDateAt(instant, zone);
          const time = localTimeAt(instant, zone);
          const back = zonedTimeToUtc(date, time, zone);
          // The same wall clock, and never a later instant (a repeated hour reads as its first occurrence).
          expect([localDateAt(back, zone), localTimeAt(back, zone)]).toEqual([date, time]);
          expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dayRangeUtc', () => {
  it.each([
    ['2026-01-15', 'Europe/Berlin', 24],
    ['2026-03-29', 'Europe/Berlin', 23],
    ['2026-10-25', 'Europe/Berlin', 25],
    ['2026-03-08', 'America/New_York', 23],
    ['2026-11-01', 'America/New_York', 25],
    ['2026-09-06', 'America/Santiago', 23],
    ['2026-04-04', 'America/Santiago', 25],
    ['2026-03-08', 'America/Havana', 23],
    ['2026-10-04', 'Australia/Lord_Howe', 23.5],
  ])('%s in %s is %s hours long and holds exactly that date', (date, zone, length) => {
    const range = dayRangeUtc(date, zone);
    expect(hours(range)).toBe(length);
    expect(localDateAt(range.start, zone)).toBe(date);
    expect(localDateAt(new Date(range.end.getTime() - 1), zone)).toBe(date);
    expect(localDateAt(range.end, zone)).toBe(addDays(date, 1));
  });

  it('starts a day whose midnight is skipped at the first instant of that day, not the day before', () => {
    // Chile springs forward at midnight: 2026-09-06 begins at 01:00 local.
    const range = dayRangeUtc('2026-09-06', 'America/Santiago');
    expect(localDateAt(range.start, 'America/Santiago')).toBe('2026-09-06');
    expect(localTimeAt(range.start, 'America/Santiago')).toBe('01:00');
  });
});

describe('calendar dates', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('knows the weekday of a date wherever the clinic is', () => {
    expect(weekdayOf('2026-11-23')).toBe(1); // a Monday
    expect(weekdayOf('2026-11-22')).toBe(0);
  });
});
