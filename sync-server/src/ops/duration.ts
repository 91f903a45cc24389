import { z } from 'zod';

/**
 * A length of time an operator writes in an environment variable: a whole
 * number and a unit, `500ms`, `30s`, `15m`, `24h`, `30d`, `6y`. One spelling
 * for every period, so nobody has to remember which variable counts seconds
 * and which milliseconds.
 */
export interface Duration {
  /** As written, for logs and messages: `6y`. */
  text: string;
  /** In milliseconds (a year counted as 365.25 days), for timers. */
  ms: number;
  /**
   * As a PostgreSQL interval (`6 years`, `30 days`), for cut-offs computed by
   * the database: calendar-exact, and on the database's clock, which every
   * instance shares, rather than on each instance's own.
   */
  interval: string;
}

const units = {
  ms: { ms: 1, pg: 'milliseconds' },
  s: { ms: 1_000, pg: 'seconds' },
  m: { ms: 60_000, pg: 'minutes' },
  h: { ms: 3_600_000, pg: 'hours' },
  d: { ms: 86_400_000, pg: 'days' },
  y: { ms: 31_557_600_000, pg: 'years' },
} as const;

const DURATION = /^(\d{1,9})(ms|s|m|h|d|y)$/;

export function parseDuration(text: string): Duration | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = units[match[2] as keyof typeof units];
  return { text: `${amount}${match[2]}`, ms: amount * unit.ms, interval: `${amount} ${unit.pg}` };
}

/** A zod schema for a duration variable, at least `min` long. */
export function duration(min: string, max?: string) {
  const floor = parseDuration(min)!;
  const ceiling = max === undefined ? undefined : parseDuration(max)!;
  const range = ceiling ? `between ${floor.text} and ${ceiling.text}` : `at least ${floor.text}`;
  return z.string().transform((raw, ctx) => {
    const parsed = parseDuration(raw);
    if (parsed === null || parsed.ms < floor.ms || (ceiling !== undefined && parsed.ms > ceiling.ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration ${range}, a whole number and a unit (ms, s, m, h, d, y) such as 30s, 24h or 6y`,
      });
      return z.NEVER;
    }
    return parsed;
  });
}
