import { z } from 'zod';
import { hlcSchema } from '../hlc.js';
import { idSchema } from '../ids.js';

/**
 * An instant in UTC exactly as `Date.prototype.toISOString()` writes it. One
 * spelling per instant, so stored instants compare correctly as text (in SQL
 * and in RxDB queries): `09:00:00Z` would sort after `09:00:00.000Z`.
 */
export const isoDateTime = z.iso.datetime({ offset: false, precision: 3 });
export const localDate = z.iso.date();
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

/** A UTF-16 surrogate without its other half: not Unicode, so no UTF-8 encoder can write it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether every replica and the server's database can store `value` as it is:
 * no lone surrogate, and no NUL character, which PostgreSQL refuses in text and jsonb.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}
export const unstorableTextMessage = 'must not contain NUL characters or unpaired surrogates';

/**
 * Any text a person or another system sends: a string every replica and the
 * server's database can store. Every free-text field and query parameter
 * builds on it (`text.trim().min(1).max(100)`), so such input is a 400 naming
 * the field, never a database error that fails a whole request or push batch.
 */
export const text = z.string().refine(isStorableText, unstorableTextMessage);

/**
 * Something only the server (or a conflicting merge) could see, stored on the
 * record itself so that resolving it is an ordinary synced change.
 */
export const attentionFlagSchema = z.object({
  code: z.enum([
    'overlapping-booking',
    'duplicate-ticket-code',
    'duplicate-arrival',
    'probable-duplicate-patient',
    'lifecycle-conflict',
  ]),
  reason: text.min(1).max(500),
  raisedAt: isoDateTime,
  resolvedAt: isoDateTime.nullable(),
  resolvedBy: text.max(100).nullable(),
});
export type AttentionFlag = z.infer<typeof attentionFlagSchema>;

/** Fields every replicated record carries; see `merge.ts` for how they converge. */
export const replicatedFields = {
  id: idSchema,
  /** Per-field hybrid logical clock of the last write, for last-writer-wins merges. */
  clocks: z.record(text, hlcSchema),
  attention: z.record(text.max(200), attentionFlagSchema),
  /** Derived: some attention flag is unresolved. Indexed, so the conflicts inbox is one query. */
  needsAttention: z.boolean(),
};

/** One step of a lifecycle, kept forever so replicas can replay and agree. */
export function statusEventSchema<S extends readonly [string, ...string[]]>(statuses: S) {
  return z.object({
    from: z.enum(statuses).nullable(),
    to: z.enum(statuses),
    hlc: hlcSchema,
    /** The user, device or API client that made the step. */
    by: text.min(1).max(100),
    source: z.enum(['desk', 'kiosk', 'api', 'server']),
  });
}
