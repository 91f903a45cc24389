import type { Appointment } from './schemas/appointment.js';
import type { QueueEntry, QueuePriority } from './schemas/queue-entry.js';

/**
 * Queue order, derived and never stored (docs/architecture.md §4.5): a pure function of
 * the entries, so every replica shows the same order and there is nothing to
 * conflict on. It does not depend on the reader's clock either: two desks whose
 * clocks disagree still show the same order.
 *
 * Who is next among the waiting entries:
 * 1. priority: urgent, then assist, then normal;
 * 2. the entry's queue time: for a patient who came early enough, the
 *    appointment's start (arriving early buys no place ahead of patients booked
 *    earlier, and arriving a little late costs none); for a late arrival or a
 *    walk-in, the check-in time. "Early enough" means checked in no later than
 *    `earlyWindowMinutes` after the appointment's start;
 * 3. check-in time; 4. id, so the order is total.
 *
 * Arriving later never moves a patient ahead: the queue time of an appointment
 * never decreases as its check-in time grows.
 *
 * Only waiting entries are in the order. Called entries are shown apart, by
 * `calledEntries`; entries in a room, done, left or no-show are not queued.
 */

export const DEFAULT_EARLY_WINDOW_MINUTES = 15;

/** What ordering needs of an entry; kiosk and display replicas hold this much or more. */
export type QueuedEntry = Pick<QueueEntry, 'id' | 'status' | 'priority' | 'checkedInAt'> & {
  /** Absent on replicas that do not hold it (a kiosk's); the entry is then ordered as a walk-in. */
  appointmentId?: string | null;
  _deleted?: boolean;
};

export interface QueueOrderOptions {
  /** The entries' appointments; an entry whose appointment is not here is ordered as a walk-in. */
  appointmentsById:
    ReadonlyMap<string, Pick<Appointment, 'start'>> | Readonly<Record<string, Pick<Appointment, 'start'>>>;
  /** How many minutes after its start a check-in still counts as on time for the appointment. */
  earlyWindowMinutes?: number;
}

const PRIORITY_RANK: Record<QueuePriority, number> = { urgent: 0, assist: 1, normal: 2 };

/**
 * Queue statuses that end an entry without the visit: a patient who left or
 * did not answer the call may arrive again for the same appointment.
 */
export const ENDED_WITHOUT_VISIT: readonly QueueEntry['status'][] = ['left', 'no-show'];

/**
 * Entries that are a second arrival for an appointment another entry already
 * stands for (two desks checked the patient in before they synced). The
 * earliest check-in (then the lower id) is the patient's place; the others are
 * kept and shown as duplicates, never queued, and the server flags them for
 * the desk.
 */
export function duplicateArrivals(entries: readonly QueuedEntry[]): Set<string> {
  const keeper = new Map<string, QueuedEntry>();
  const duplicates = new Set<string>();
  const live = entries.filter(
    (entry) => entry.appointmentId && entry._deleted !== true && !ENDED_WITHOUT_VISIT.includes(entry.status),
  );
  for (const entry of [...live].sort(byCheckIn)) {
    if (keeper.has(entry.appointmentId!)) duplicates.add(entry.id);
    else keeper.set(entry.appointmentId!, entry);
  }
  return duplicates;
}

/** The waiting entries of one queue (reception, lab, …), next first; a second arrival is not queued. */
export function orderQueue<T extends QueuedEntry>(entries: readonly T[], options: QueueOrderOptions): T[] {
  const duplicates = duplicateArrivals(entries);
  const keyed = entries
    .filter((entry) => entry.status === 'waiting' && entry._deleted !== true && !duplicates.has(entry.id))
    .map((entry) => ({ entry, queueTime: queueTime(entry, options), checkedIn: Date.parse(entry.checkedInAt) }));
  keyed.sort(
    (a, b) =>
      PRIORITY_RANK[a.entry.priority] - PRIORITY_RANK[b.entry.priority] ||
      a.queueTime - b.queueTime ||
      a.checkedIn - b.checkedIn ||
      (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
  );
  return keyed.map((k) => k.entry);
}

/** The instant an entry is queued at, in ms: its appointment's start when it came early enough, else its check-in. */
export function queueTime(entry: QueuedEntry, options: QueueOrderOptions): number {
  const checkedIn = Date.parse(entry.checkedInAt);
  const appointment = entry.appointmentId ? appointmentOf(options.appointmentsById, entry.appointmentId) : undefined;
  if (appointment === undefined) return checkedIn;
  const start = Date.parse(appointment.start);
  const window = (options.earlyWindowMinutes ?? DEFAULT_EARLY_WINDOW_MINUTES) * 60_000;
  return checkedIn <= start + window ? start : checkedIn;
}

function byCheckIn(a: QueuedEntry, b: QueuedEntry): number {
  return Date.parse(a.checkedInAt) - Date.parse(b.checkedInAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The entries ahead of one entry in an ordered queue; empty when it is next or not waiting. */
export function peopleAhead<T extends { id: string }>(ordered: readonly T[], entryId: string): T[] {
  const index = ordered.findIndex((entry) => entry.id === entryId);
  return index < 0 ? [] : ordered.slice(0, index);
}

/**
 * Called entries, the latest call first: what a waiting-room screen shows at
 * the top. Kept apart from the waiting order so a call never reshuffles it.
 */
export function calledEntries<T extends QueuedEntry & { calledAt: string | null }>(entries: readonly T[]): T[] {
  return entries
    .filter((entry) => entry.status === 'called' && entry._deleted !== true)
    .sort(
      (a, b) =>
        Date.parse(b.calledAt ?? b.checkedInAt) - Date.parse(a.calledAt ?? a.checkedInAt) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

function appointmentOf(
  byId: QueueOrderOptions['appointmentsById'],
  id: string,
): Pick<Appointment, 'start'> | undefined {
  if (byId instanceof Map) return byId.get(id);
  const record = byId as Readonly<Record<string, Pick<Appointment, 'start'>>>;
  return Object.hasOwn(record, id) ? record[id] : undefined;
}
