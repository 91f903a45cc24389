import { z } from 'zod';
import { replicatedFields, text, timeOfDay } from './common.js';

/** A site's kiosk check-in rules; `checkInSettingsOf` fills in what a site leaves out. */
export const checkInSettingsSchema = z.object({
  /** How long before the appointment's start a patient may check in. */
  earliestMinutesBefore: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  /** How long after the start the kiosk still checks a patient in; later, the desk decides. */
  latestMinutesAfter: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  /** A patient earlier than that: told when to come back, or checked in all the same with the desk told. */
  tooEarly: z.enum(['refuse', 'allow-and-tell-desk']),
  /** Whether a patient without an appointment today may register as a walk-in at the kiosk. */
  walkIns: z.boolean(),
});
export type CheckInSettings = z.infer<typeof checkInSettingsSchema>;

/**
 * When a site sends appointment reminders (docs/architecture.md §9.6); absent
 * or `enabled: false`, it sends none.
 */
export const reminderPolicySchema = z.object({
  enabled: z.boolean(),
  /** How long before an appointment's start each reminder goes out, e.g. [2880, 120] for 48 h and 2 h. */
  minutesBefore: z
    .array(
      z
        .number()
        .int()
        .min(15)
        .max(14 * 24 * 60),
    )
    .max(4),
  /** No message leaves between these site-local times (e.g. 21:00 to 08:00); one that falls due waits for the end. */
  quietHours: z.object({ start: timeOfDay, end: timeOfDay }).nullable(),
  /** Whether a waiting patient who opted in gets an SMS when they are next in line. */
  almostTurnSms: z.boolean(),
});
export type ReminderPolicy = z.infer<typeof reminderPolicySchema>;

/** The clinic's street address, printed in reminders. */
export const siteAddressSchema = z.object({
  line1: text.min(1).max(200),
  line2: text.max(200).nullable(),
  city: text.min(1).max(100),
  region: text.max(100).nullable(),
  postalCode: text.max(20),
  country: text.length(2),
});

export const queueNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lowercase queue name');

export const siteSchema = z.object({
  ...replicatedFields,
  name: text.min(1).max(200),
  /** IANA zone; it decides what "today" means at this site. */
  timezone: text.refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin'),
  /** Ticket-code prefix per queue, e.g. `{ reception: "A", lab: "L" }`. */
  queuePrefixes: z.record(queueNameSchema, z.string().regex(/^[A-Z]{1,2}$/, 'expected one or two capital letters')),
  /**
   * When the lobby kiosk lets a patient check in; absent on sites set up
   * before it existed, which get `DEFAULT_CHECK_IN_SETTINGS` (check-in-window.ts).
   */
  checkIn: checkInSettingsSchema.optional(),
  /** Reminder policy and quiet hours; absent on sites set up before reminders existed (none are sent). */
  reminders: reminderPolicySchema.optional(),
  /** Absent or null: reminders give the clinic's name only. */
  address: siteAddressSchema.nullable().optional(),
  /** How the site bills; absent on sites set up before it could choose (`kioskPaymentsAt`). */
  billing: z
    .object({
      /** Whether its kiosks offer to pay the copay after check-in (card payments need Stripe on the server). */
      kioskPayments: z.boolean(),
    })
    .optional(),
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
