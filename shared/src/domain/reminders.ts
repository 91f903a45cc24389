import { orderQueue, type QueueOrderOptions, type QueuedEntry } from './queue-order.js';
import type { ContactConsent } from './schemas/patient.js';
import type { QueueEntry } from './schemas/queue-entry.js';
import type { ReminderPolicy } from './schemas/site.js';
import { addDays, localDateAt, localTimeAt, zonedTimeToUtc } from './time.js';

/**
 * When reminders go out and to whom (docs/architecture.md §9.6): pure rules the
 * server's scheduler applies and tests check without a clock or a database.
 */

export type ReminderChannel = 'email' | 'sms';

/**
 * The reminder due for an appointment at `now`: the smallest of the site's
 * "minutes before" whose time has come, so an appointment booked two hours
 * ahead gets the two-hour reminder only, never a late "in two days". Null once
 * the appointment has started, or before its first reminder is due.
 */
export function dueReminderOffset(
  policy: Pick<ReminderPolicy, 'minutesBefore'>,
  start: string,
  now: Date,
): number | null {
  const startMs = Date.parse(start);
  if (now.getTime() >= startMs) return null;
  const due = policy.minutesBefore.filter((minutes) => startMs - minutes * 60_000 <= now.getTime());
  return due.length === 0 ? null : Math.min(...due);
}

/** How far ahead the scheduler must look for appointments with a reminder due: the site's longest offset. */
export function reminderHorizonMinutes(policy: Pick<ReminderPolicy, 'minutesBefore'>): number {
  return Math.max(0, ...policy.minutesBefore);
}

/**
 * When a message due at `at` may leave: `at` itself, or the end of the site's
 * quiet hours when `at` falls inside them (a window may run past midnight,
 * 21:00 to 08:00). A window whose start equals its end is empty.
 */
export function sendableAt(quietHours: ReminderPolicy['quietHours'], at: Date, timeZone: string): Date {
  if (quietHours === null || quietHours.start === quietHours.end) return at;
  const time = localTimeAt(at, timeZone);
  const date = localDateAt(at, timeZone);
  const { start, end } = quietHours;
  const overnight = start > end;
  const inside = overnight ? time >= start || time < end : time >= start && time < end;
  if (!inside) return at;
  // Overnight and already past the start: the quiet hours end tomorrow morning.
  const endDate = overnight && time >= start ? addDays(date, 1) : date;
  return zonedTimeToUtc(endDate, end, timeZone);
}

/**
 * The channels a patient may be reached on for `purpose`: what they agreed to,
 * and only where the record has the address or number to use.
 */
export function consentedChannels(
  patient: { email: string | null; phone: string | null; contactConsent?: ContactConsent | null | undefined },
  purpose: 'reminder' | 'almost-turn',
): ReminderChannel[] {
  const consent = patient.contactConsent;
  if (!consent) return [];
  if (purpose === 'almost-turn') return consent.almostTurnSms && patient.phone ? ['sms'] : [];
  const channels: ReminderChannel[] = [];
  if (consent.email && patient.email) channels.push('email');
  if (consent.sms && patient.phone) channels.push('sms');
  return channels;
}

/** Whether an SMS reply asks to stop messages (the carriers' keywords, in any case). */
export function isStopKeyword(body: string): boolean {
  return ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'BAJA', 'PARAR'].includes(
    body.trim().toUpperCase(),
  );
}

/**
 * Who in a queue should now hear "almost your turn": the first in the derived
 * order (queue-order.ts), once someone else of that queue has been called
 * since they checked in, so a patient who walks in to an empty queue is not
 * texted while still standing at the desk. Null when nobody is.
 */
export function almostTurnFor<T extends QueuedEntry & Pick<QueueEntry, 'queue' | 'calledAt'>>(
  entries: readonly T[],
  queue: string,
  options: QueueOrderOptions,
): T | null {
  const inQueue = entries.filter((e) => e.queue === queue);
  const first = orderQueue(inQueue, options)[0];
  if (first === undefined) return null;
  const movedUp = inQueue.some((e) => e.id !== first.id && e.calledAt !== null && e.calledAt > first.checkedInAt);
  return movedUp ? first : null;
}
