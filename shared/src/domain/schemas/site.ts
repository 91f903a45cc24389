import { z } from 'zod';
import { replicatedFields } from './common.js';

export const queueNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lowercase queue name');

export const siteSchema = z.object({
  ...replicatedFields,
  name: z.string().min(1).max(200),
  /** IANA zone; it decides what "today" means at this site. */
  timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin'),
  /** Ticket-code prefix per queue, e.g. `{ reception: "A", lab: "L" }`. */
  queuePrefixes: z.record(queueNameSchema, z.string().regex(/^[A-Z]{1,2}$/, 'expected one or two capital letters')),
});
export type Site = z.infer<typeof siteSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
