import { addDays, dayRangeUtc } from './time.js';

/**
 * HL7 FHIR search on `date` parameters, as pure rules: a value such as
 * `ge2026-11`, `lt2026-11-30` or `eq2026-11-30T10:00:00Z` is a prefix and an
 * implicit range whose width is the value's precision. A date without a time
 * of day (`2026`, `2026-11`, `2026-11-30`) means the site's local calendar: the
 * range runs from local midnight to local midnight in the site's time zone.
 */

export const fhirDatePrefixes = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;
export type FhirDatePrefix = (typeof fhirDatePrefixes)[number];

export interface FhirDateSearch {
  prefix: FhirDatePrefix;
  /** The value's implicit range, [start, end) in UTC milliseconds. */
  start: number;
  end: number;
  /** Whether the value named a calendar date (a year, month or day) rather than a time. */
  calendar: boolean;
}

/** A union of half-open ranges [from, to) of instants; a missing bound is open. */
export type InstantRanges = { from?: number; to?: number }[];

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads one value of a FHIR `date` search parameter, or null when it is not one.
 * A time of day needs its offset (`Z` or `±hh:mm`), as FHIR requires.
 */
export function parseFhirDate(value: string, timeZone: string): FhirDateSearch | null {
  const prefixed = /^(eq|ne|lt|gt|le|ge|sa|eb|ap)/.exec(value);
  const prefix = (prefixed?.[1] ?? 'eq') as FhirDatePrefix;
  const rest = prefixed ? value.slice(2) : value;
  const date = DATE.exec(rest);
  if (date) {
    const [, year, month, day] = date;
    const first = `${year}-${month ?? '01'}-${day ?? '01'}`;
    if (!isCalendarDate(first)) return null;
    const after =
      day !== undefined ? addDays(first, 1) : month !== undefined ? nextMonth(first) : `${Number(year) + 1}-01-01`;
    if (!isCalendarDate(after)) return null;
    return {
      prefix,
      start: dayRangeUtc(first, timeZone).start.getTime(),
      end: dayRangeUtc(after, timeZone).start.getTime(),
      calendar: true,
    };
  }
  const time = DATE_TIME.exec(rest);
  if (time === null || !isCalendarDate(time[1]!)) return null;
  const [, , hour, minute, second, fraction] = time;
  if (Number(hour) > 23 || Number(minute) > 59 || (second !== undefined && Number(second) > 59)) return null;
  const start = Date.parse(rest);
  if (Number.isNaN(start)) return null;
  const width = second === undefined ? 60_000 : fraction === undefined ? 1_000 : 1;
  return { prefix, start, end: start + width, calendar: false };
}

/**
 * The instants a search value matches when the target is a point in time (an
 * appointment's or slot's start): FHIR's prefixes compare the target with the
 * value's implicit range. `ap` widens that range by a tenth of its distance
 * from `now`, as the specification suggests.
 */
export function fhirDateRanges(search: FhirDateSearch, now: number = Date.now()): InstantRanges {
  const { start, end } = search;
  switch (search.prefix) {
    case 'eq':
      return [{ from: start, to: end }];
    case 'ne':
      return [{ to: start }, { from: end }];
    case 'lt':
    case 'eb':
      return [{ to: start }];
    case 'gt':
    case 'sa':
      return [{ from: end }];
    case 'ge':
      return [{ from: start }];
    case 'le':
      return [{ to: end }];
    case 'ap': {
      const margin = Math.round(Math.abs(start - now) / 10);
      return [{ from: start - margin, to: end + margin }];
    }
  }
}

/** Whether an instant is in every one of the searches' ranges (repeated parameters are joined with AND). */
export function matchesFhirDates(searches: readonly FhirDateSearch[], instant: number, now: number = Date.now()) {
  return searches.every((search) =>
    fhirDateRanges(search, now).some(
      (r) => (r.from === undefined || instant >= r.from) && (r.to === undefined || instant < r.to),
    ),
  );
}

/**
 * The smallest window holding every instant that all the searches match:
 * where a bounded search (say `ge…` with `lt…`) cannot reach, nothing is.
 * Open ends stay undefined; an empty window has `from >= to`.
 */
export function fhirDateWindow(
  searches: readonly FhirDateSearch[],
  now: number = Date.now(),
): { from?: number; to?: number } {
  let from: number | undefined;
  let to: number | undefined;
  for (const search of searches) {
    const ranges = fhirDateRanges(search, now);
    const lows = ranges.map((r) => r.from);
    const highs = ranges.map((r) => r.to);
    const low = lows.includes(undefined) ? undefined : Math.min(...(lows as number[]));
    const high = highs.includes(undefined) ? undefined : Math.max(...(highs as number[]));
    if (low !== undefined) from = from === undefined ? low : Math.max(from, low);
    if (high !== undefined) to = to === undefined ? high : Math.min(to, high);
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

function isCalendarDate(date: string): boolean {
  const parsed = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === date;
}

function nextMonth(first: string): string {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}
