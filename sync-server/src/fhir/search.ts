import {
  addDays,
  fhirDateRanges,
  isStorableText,
  parseFhirDate,
  unstorableTextMessage,
  type FhirDateSearch,
} from '@medisync/shared/domain';
import type { Request } from 'express';
import type { Filter } from '#api/records';
import { HttpError } from '#http/errors';

/** A searchset page: `_count` results by default, and never more than the most. */
export const COUNT_DEFAULT = 50;
export const COUNT_MAX = 200;

export function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'invalid-request', `${field}: ${message}`, { issues: [{ path: field, message }] });
}

/** The first value of each search parameter; any value that is not storable text is a 400 naming it. */
export function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    for (const item of [key, ...(Array.isArray(value) ? value : [value])]) {
      if (typeof item === 'string' && !isStorableText(item)) throw invalid(key, unstorableTextMessage);
    }
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

/** Every value of a search parameter in the order given: `start=ge…&start=lt…` is two (joined with AND). */
export function valuesOf(req: Request, name: string): string[] {
  const value = req.query[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** `_count`: 0 asks for the total only (like `_summary=count`). */
export function countOf(q: Record<string, string>): number {
  if (q._count === undefined) return COUNT_DEFAULT;
  const count = Number(q._count);
  if (!/^\d+$/.test(q._count) || count > COUNT_MAX)
    throw invalid('_count', `expected a whole number from 0 to ${COUNT_MAX}`);
  return count;
}

/** Whether the client asked for the total only: `_summary=count` or `_count=0`. */
export function countOnly(q: Record<string, string>): boolean {
  if (q._summary !== undefined && q._summary !== 'count' && q._summary !== 'false')
    throw invalid('_summary', 'only count (or false) is supported');
  return q._summary === 'count' || countOf(q) === 0;
}

const DATE_HELP =
  'expected a FHIR date with an optional prefix (eq, ne, lt, gt, le, ge, sa, eb, ap): 2026, 2026-11, 2026-11-30 or 2026-11-30T10:00:00Z';

/**
 * Every value of a `date` search parameter, read in the site's time zone (a date
 * without a time of day is the site-local day); any that is not one is a 400.
 */
export function dateSearchesOf(req: Request, name: string, timeZone: string): FhirDateSearch[] {
  return valuesOf(req, name).map((value) => {
    const search = parseFhirDate(value, timeZone);
    if (search === null) throw invalid(name, DATE_HELP);
    return search;
  });
}

/**
 * A filter on a stored date or instant for one search value. `column` holds
 * ISO instants (`…T…Z`, compared as text) or, when `calendarDates`, plain
 * YYYY-MM-DD dates (a birth date), matched by the day they start.
 */
export function dateFilter(column: string, search: FhirDateSearch, calendarDates = false): Filter {
  const bounds: string[] = [];
  const bound = (ms: number) => {
    bounds.push(calendarDates ? firstDayFrom(ms) : new Date(ms).toISOString());
    return `(?::text[])[${bounds.length}]`;
  };
  const alternatives = fhirDateRanges(search).map((range) => {
    const parts: string[] = [];
    if (range.from !== undefined) parts.push(`${column} >= ${bound(range.from)}`);
    if (range.to !== undefined) parts.push(`${column} < ${bound(range.to)}`);
    return `(${parts.join(' AND ')})`;
  });
  return { sql: `(${alternatives.join(' OR ')})`, value: bounds };
}

/** The first calendar date whose UTC midnight is at or after an instant. */
function firstDayFrom(ms: number): string {
  const day = new Date(ms).toISOString().slice(0, 10);
  return Date.parse(`${day}T00:00:00Z`) === ms ? day : addDays(day, 1);
}

/** A filter that matches nothing (a token in a system this server does not use). */
export const matchNothing: Filter = { sql: '?::boolean', value: false };

/**
 * The URL of this search with every parameter as given, repeated ones kept
 * repeated, and the page's cursor: a client follows `self` and `next` as they are.
 */
export function searchUrl(req: Request, base: string, cursor: string | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (key === '_cursor') continue;
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') params.append(key, item);
  }
  if (cursor !== undefined) params.append('_cursor', cursor);
  const query = params.toString();
  return `${base}${req.path}${query ? `?${query}` : ''}`;
}
