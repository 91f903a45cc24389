import { z } from 'zod';
import { defaultAbuseLimits, type AbuseLimits } from '#auth/rate-limit';
import { parseDuration } from './duration.js';

const byName = new Map(
  Object.entries(defaultAbuseLimits).map(([key, limit]) => [limit.name, key as keyof AbuseLimits]),
);
const names = [...byName.keys()].join(', ');

/**
 * RATE_LIMITS: the abuse limits an operator changes, by the names they carry
 * in the `rate_limits` table, as `name=attempts/window`, comma-separated:
 * `sign-in:email=5/15m,kiosk-lookup:device=200/1h`. Limits not named keep
 * their defaults (auth/rate-limit.ts).
 */
export const rateLimitsSpec = z.string().transform((raw, ctx) => {
  const limits: Partial<AbuseLimits> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^([a-z:-]+)=(\d{1,6})\/(\w+)$/.exec(part);
    const key = match ? byName.get(match[1]!) : undefined;
    const window = match ? parseDuration(match[3]!) : null;
    if (!match || key === undefined || window === null || window.ms < 1_000 || Number(match[2]) < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected name=attempts/window entries such as sign-in:email=8/10m (names: ${names}); "${part}" is not one`,
      });
      return z.NEVER;
    }
    limits[key] = { name: match[1]!, max: Number(match[2]), windowSeconds: Math.round(window.ms / 1_000) };
  }
  return limits;
});
