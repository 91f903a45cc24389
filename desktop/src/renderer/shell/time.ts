const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date formatter for these options, made once: building an Intl.DateTimeFormat
 * costs far more than formatting with one, and a Today screen formats hundreds
 * of times per repaint.
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([locale, options]);
  let format = formats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

/** "14:05": a time of day at the site, 24-hour, as front-desk staff read it. */
export function formatTimeOfDay(iso: string, timeZone: string, locale = 'en-GB'): string {
  return dateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(
    new Date(iso),
  );
}

/** "Monday 3 March": the day a screen shows, at the site. */
export function formatDay(date: Date, timeZone: string, locale = 'en-GB'): string {
  return dateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone }).format(date);
}
