import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fhirDatePrefixes, fhirDateRanges, fhirDateWindow, matchesFhirDates, parseFhirDate } from './fhir-date.js';

const NEW_YORK = 'America/New_York';
const at = (iso: string) => Date.parse(iso);

describe('parseFhirDate', () => {
  it('reads a date without time as the site-local day, month or year', () => {
    expect(parseFhirDate('2026-11-30', NEW_YORK)).toEqual({
      prefix: 'eq',
      start: at('2026-11-30T05:00:00Z'),
      end: at('2026-12-01T05:00:00Z'),
      calendar: true,
    });
    expect(parseFhirDate('ge2026-11', NEW_YORK)).toMatchObject({
      prefix: 'ge',
      start: at('2026-11-01T04:00:00Z'), // still daylight time on 1 November at midnight
      end: at('2026-12-01T05:00:00Z'),
    });
    expect(parseFhirDate('lt2026', 'UTC')).toMatchObject({
      prefix: 'lt',
      start: at('2026-01-01T00:00:00Z'),
      end: at('2027-01-01T00:00:00Z'),
    });
  });

  it('reads a time with its offset, its range as wide as its precision', () => {
    expect(parseFhirDate('gt2026-11-30T10:00Z', NEW_YORK)).toMatchObject({
      prefix: 'gt',
      start: at('2026-11-30T10:00:00Z'),
      end: at('2026-11-30T10:01:00Z'),
      calendar: false,
    });
    expect(parseFhirDate('2026-11-30T10:00:05-05:00', NEW_YORK)).toMatchObject({
      start: at('2026-11-30T15:00:05Z'),
      end: at('2026-11-30T15:00:06Z'),
    });
  });

  it('refuses what is not a FHIR date', () => {
    for (const bad of [
      '',
      'xx2026',
      '2026-13',
      '2026-02-30',
      '26-11-30',
      '2026-11-30T10:00',
      'ge',
      '2026-11-30T25:00Z',
    ])
      expect(parseFhirDate(bad, 'UTC')).toBeNull();
  });
});

describe('FHIR date prefixes on instants', () => {
  const day = parseFhirDate('2026-11-30', 'UTC')!;
  const cases: [string, string, boolean][] = [
    ['eq', '2026-11-30T00:00:00Z', true],
    ['eq', '2026-12-01T00:00:00Z', false],
    ['ne', '2026-11-30T12:00:00Z', false],
    ['ne', '2026-11-29T23:59:59Z', true],
    ['lt', '2026-11-29T23:59:59Z', true],
    ['lt', '2026-11-30T00:00:00Z', false],
    ['le', '2026-11-30T23:59:59Z', true],
    ['le', '2026-12-01T00:00:00Z', false],
    ['gt', '2026-11-30T23:59:59Z', false],
    ['gt', '2026-12-01T00:00:00Z', true],
    ['ge', '2026-11-30T00:00:00Z', true],
    ['ge', '2026-11-29T23:59:59Z', false],
    ['sa', '2026-12-01T00:00:00Z', true],
    ['eb', '2026-11-29T00:00:00Z', true],
    ['eb', '2026-11-30T00:00:00Z', false],
  ];
  it.each(cases)('%s2026-11-30 and %s: %s', (prefix, instant, expected) => {
    expect(matchesFhirDates([{ ...day, prefix: prefix as never }], at(instant))).toBe(expected);
  });

  it('ap widens the range by a tenth of its distance from now', () => {
    const now = at('2026-11-20T00:00:00Z');
    const ap = { ...day, prefix: 'ap' as const };
    expect(matchesFhirDates([ap], at('2026-11-29T00:00:00Z'), now)).toBe(true);
    expect(matchesFhirDates([ap], at('2026-11-28T00:00:00Z'), now)).toBe(false);
  });

  it('ne is exactly what eq is not, and ge/lt, le/gt split every instant in two', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
        fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
        fc.constantFrom('2026', '2026-03', '2026-03-08', '2026-03-08T02:30Z'),
        (instant, now, value) => {
          const search = parseFhirDate(value, NEW_YORK)!;
          const is = (prefix: (typeof fhirDatePrefixes)[number]) =>
            matchesFhirDates([{ ...search, prefix }], instant, now);
          expect(is('ne')).toBe(!is('eq'));
          expect(is('ge')).toBe(!is('lt'));
          expect(is('le')).toBe(!is('gt'));
          expect(is('ap') || !is('eq')).toBe(true);
        },
      ),
    );
  });
});

describe('fhirDateWindow', () => {
  it('joins repeated parameters: ge with lt bounds both ends', () => {
    const searches = [parseFhirDate('ge2026-11-30', 'UTC')!, parseFhirDate('lt2026-12-02', 'UTC')!];
    expect(fhirDateWindow(searches)).toEqual({ from: at('2026-11-30T00:00:00Z'), to: at('2026-12-02T00:00:00Z') });
    expect(fhirDateWindow([parseFhirDate('gt2026-11-30', 'UTC')!])).toEqual({ from: at('2026-12-01T00:00:00Z') });
    expect(fhirDateWindow([parseFhirDate('ne2026-11-30', 'UTC')!])).toEqual({});
  });

  it('every instant the searches match is inside the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...fhirDatePrefixes), fc.constantFrom('2026-11', '2026-11-30', '2026-12-01T09:15Z')),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.integer({ min: at('2026-10-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
        (values, instant) => {
          const now = at('2026-11-01T00:00:00Z');
          const searches = values.map(([prefix, value]) => ({ ...parseFhirDate(value, NEW_YORK)!, prefix }));
          if (!matchesFhirDates(searches, instant, now)) return;
          const window = fhirDateWindow(searches, now);
          expect(window.from === undefined || instant >= window.from).toBe(true);
          expect(window.to === undefined || instant < window.to).toBe(true);
          expect(fhirDateRanges(searches[0]!, now).length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
