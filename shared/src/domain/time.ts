/** The calendar date (YYYY-MM-DD) of an instant in a site's time zone: what "today" means there. */
export function localDateAt(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The UTC instant of a wall-clock time on a date in a time zone (DST-aware). */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  // Two passes settle the offset even across a DST change on that day.
  let instant = guess;
  for (let i = 0; i < 2; i++) instant = new Date(guess.getTime() - offsetMs(instant, timeZone));
  return instant;
}

/** The [start, end) UTC range of a local calendar date at a site. */
export function dayRangeUtc(date: string, timeZone: string): { start: Date; end: Date } {
  const start = zonedTimeToUtc(date, '00:00', timeZone);
  const next = new Date(`${date}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { start, end: zonedTimeToUtc(next.toISOString().slice(0, 10), '00:00', timeZone) };
}

function offsetMs(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}
