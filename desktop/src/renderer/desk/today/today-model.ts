import { hlcToIso, type Appointment, type QueueEntry } from '@medisync/shared/domain';
import { appointmentStatusLabel, minutesLabel, queueStatusLabel } from '../labels.js';

/** A patient past their start time who has not arrived is late after this long. */
export const LATE_AFTER_MINUTES = 5;
/** Waiting longer than this is a long wait, shown in alert colours with a word. */
export const LONG_WAIT_MINUTES = 20;

/** Statuses that take a slot on the day; the others (cancelled, waitlist, …) are not on the timeline. */
export const ON_THE_DAY: readonly Appointment['status'][] = [
  'booked',
  'arrived',
  'checked-in',
  'fulfilled',
  'noshow',
  'proposed',
  'pending',
];
const ARRIVED: readonly Appointment['status'][] = ['arrived', 'checked-in', 'fulfilled'];

export type DayKind = 'past' | 'today' | 'future';

export function dayKind(date: string, today: string): DayKind {
  return date < today ? 'past' : date > today ? 'future' : 'today';
}

/** When a record entered its current status: its latest status event. */
export function statusEnteredAt(record: Pick<Appointment | QueueEntry, 'statusLog'>): string {
  const latest = record.statusLog.reduce((max, e) => (e.hlc > max ? e.hlc : max), '');
  return hlcToIso(latest);
}

export function minutesBetween(fromIso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60_000));
}

export type Highlight = 'late' | 'long-wait' | null;

/** What a visit's chip says: the queue's view once the patient is queued, the appointment's before. */
export interface VisitState {
  label: string;
  /** Minutes in that state, when it is a state that runs on ("Waiting 12 min"). */
  minutes: number | null;
  /** Which status colour the chip takes. */
  tone: 'booked' | 'waiting' | 'called' | 'in-room' | 'done' | 'absent' | 'other';
  highlight: Highlight;
  /** The word that goes with a highlight, so it never rests on colour alone. */
  highlightWord: string | null;
}

export function visitState(
  appointment: Appointment,
  entry: QueueEntry | undefined,
  now: number,
  kind: DayKind,
): VisitState {
  if (entry && ARRIVED.includes(appointment.status) && appointment.status !== 'fulfilled') {
    const minutes = minutesBetween(entry.status === 'waiting' ? entry.checkedInAt : statusEnteredAt(entry), now);
    const longWait = kind === 'today' && entry.status === 'waiting' && minutes >= LONG_WAIT_MINUTES;
    return {
      label: queueStatusLabel(entry.status),
      minutes: entry.status === 'done' || entry.status === 'left' || kind !== 'today' ? null : minutes,
      tone:
        entry.status === 'waiting'
          ? 'waiting'
          : entry.status === 'called'
            ? 'called'
            : entry.status === 'in-room'
              ? 'in-room'
              : entry.status === 'done'
                ? 'done'
                : 'absent',
      highlight: longWait ? 'long-wait' : null,
      highlightWord: longWait ? 'Long wait' : null,
    };
  }
  const label = appointmentStatusLabel(appointment.status);
  if (appointment.status === 'booked') {
    const lateBy = minutesBetween(appointment.start, now);
    const late = kind === 'today' && Date.parse(appointment.start) + LATE_AFTER_MINUTES * 60_000 <= now;
    return {
      label,
      minutes: null,
      tone: 'booked',
      highlight: late ? 'late' : null,
      highlightWord: late ? `Late ${minutesLabel(lateBy)}` : null,
    };
  }
  const since = kind === 'today' ? minutesBetween(statusEnteredAt(appointment), now) : null;
  switch (appointment.status) {
    case 'checked-in':
    case 'arrived':
      return { label, minutes: since, tone: 'waiting', highlight: null, highlightWord: null };
    case 'fulfilled':
      return { label, minutes: null, tone: 'done', highlight: null, highlightWord: null };
    case 'noshow':
    case 'cancelled':
      return { label, minutes: null, tone: 'absent', highlight: null, highlightWord: null };
    default:
      return { label, minutes: null, tone: 'other', highlight: null, highlightWord: null };
  }
}

export interface DayMetrics {
  booked: number;
  arrived: number;
  waiting: number;
  /** Minutes the longest-waiting patient has waited, when anyone waits. */
  longestWait: number | null;
  inRoom: number;
  done: number;
  noShows: number;
}

/** The cards on top of Today, from the day's appointments and queue entries. */
export function dayMetrics(
  appointments: readonly Appointment[],
  entries: readonly QueueEntry[],
  now: number,
): DayMetrics {
  let booked = 0;
  let arrived = 0;
  let noShows = 0;
  let done = 0;
  for (const a of appointments) {
    if (!ON_THE_DAY.includes(a.status)) continue;
    booked += 1;
    if (ARRIVED.includes(a.status)) arrived += 1;
    if (a.status === 'noshow') noShows += 1;
    if (a.status === 'fulfilled') done += 1;
  }
  let waiting = 0;
  let inRoom = 0;
  let longest: number | null = null;
  const finished = new Set<string>();
  for (const e of entries) {
    if (e.status === 'waiting') {
      waiting += 1;
      const minutes = minutesBetween(e.checkedInAt, now);
      longest = longest === null ? minutes : Math.max(longest, minutes);
    } else if (e.status === 'in-room') inRoom += 1;
    else if (e.status === 'done') finished.add(e.appointmentId ?? e.id);
  }
  // A visit is done when the queue says so or the appointment was closed as seen; count each once.
  for (const a of appointments) if (a.status === 'fulfilled') finished.delete(a.id);
  return { booked, arrived, waiting, longestWait: longest, inRoom, done: done + finished.size, noShows };
}

export interface TodayFilters {
  providerId: string | null;
  status: TodayStatusFilter | null;
  visitType: string | null;
}

/** The status filter speaks the desk's words: who is still expected, who is here, who is finished, who did not come. */
export const statusFilters = {
  expected: 'Not arrived yet',
  late: 'Late',
  here: 'Here now',
  done: 'Done',
  absent: 'No-show',
} as const;
export type TodayStatusFilter = keyof typeof statusFilters;

export function matchesStatus(filter: TodayStatusFilter, state: VisitState, appointment: Appointment): boolean {
  switch (filter) {
    case 'expected':
      return appointment.status === 'booked';
    case 'late':
      return state.highlight === 'late';
    case 'here':
      return state.tone === 'waiting' || state.tone === 'called' || state.tone === 'in-room';
    case 'done':
      return state.tone === 'done';
    case 'absent':
      return appointment.status === 'noshow';
  }
}
