/**
 * Site-local calendar math. Instants are UTC; a site's IANA time zone decides
 * what "today" and "09:00" mean there. Only `Intl` is used, so this runs the
 * same in browsers and Node.
 */

const DAY_MS = 86_400_000;

/** The calendar date (YYYY-MM-DD) of an instant in a site's time zone: what "today" means there. */
export function localDateAt(instant: Date, timeZone: string): string {
  const parts = wallClockParts(instant, timeZone);
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** The wall-clock time (HH:MM) of an instant in a site's time zone. */
export function localTimeAt(instant: Date, timeZone: string): string {
  const parts = wallClockParts(instant, timeZone);
  return `${pad(parts.hour)}:${pad(parts.minute)}`;
}

/**
 * The UTC instant of a wall-clock time on a date in a time zone.
 *
 * Around a daylight-saving change a wall-clock time can occur twice or not at
 * all. This resolves both the way RFC 5545 and JavaScript's Temporal
 * ("compatible") do, so a clinic's 01:30 means the same thing everywhere:
 * - a time that occurs twice (clocks go back) is the earlier of the two;
 * - a time that does not occur (clocks go forward) moves forward by the
 *   length of the gap: 02:30 on a spring-forward night is 03:30.
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(wall)) throw new RangeError(`not a local date and time: ${date} ${time}`);
  // Offsets in force a day either side cover any single change near this time.
  const before = offsetMs(new Date(wall - DAY_MS), timeZone);
  const after = offsetMs(new Date(wall + DAY_MS), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => instant + offsetMs(new Date(instant), timeZone) === wall)
    .sort((a, b) => a - b);
  // No candidate: the time falls in a gap. Read it with the offset from before
  // the gap, which lands the same distance past the gap's end.
  return new Date(candidates[0] ?? wall - before);
}

/** The [start, end) UTC range of a local calendar date at a site: 23 or 25 hours long on a DST change. */
export function dayRangeUtc(date: string, timeZone: string): { start: Date; end: Date } {
  return { start: zonedTimeToUtc(date, '00:00', timeZone), end: zonedTimeToUtc(addDays(date, 1), '00:00', timeZone) };
}

/** The calendar date `days` after (or before, when negative) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const noon = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(noon)) throw new RangeError(`not a local date: ${date}`);
  return new Date(noon + days * DAY_MS).toISOString().slice(0, 10);
}

/** The weekday of a calendar date, 0 = Sunday … 6 = Saturday (the same in every time zone). */
export function weekdayOf(date: string): number {
  const noon = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(noon)) throw new RangeError(`not a local date: ${date}`);
  return new Date(noon).getUTCDay();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockParts(instant: Date, timeZone: string) {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = wallClockParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
