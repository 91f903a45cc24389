import { checkTransition, undoTarget, type ActorRole, type Lifecycle, type StatusEvent } from './lifecycle.js';
import type { Appointment } from './schemas/appointment.js';
import type { AttentionFlag } from './schemas/common.js';
import { appointmentLifecycle } from './schemas/appointment.js';
import { queueLifecycle } from './schemas/queue-entry.js';
import { holdsSlot } from './slots.js';

/**
 * Reading attention flags for the conflicts inbox. The server keys each flag
 * by its code and the other record it concerns (`overlapping-booking:<id>`,
 * `duplicate-ticket-code:<id>`, `probable-duplicate-patient:<id>`,
 * `duplicate-arrival:<id>`); lifecycle conflicts are keyed by the status
 * event that clashed (`lifecycle:<hlc>`). Resolving stays `resolveFlag`.
 */

export interface OpenFlag {
  key: string;
  flag: AttentionFlag;
}

/** The unresolved flags of a record, the newest first. */
export function openFlags(record: { attention: Record<string, AttentionFlag> }): OpenFlag[] {
  return Object.entries(record.attention)
    .filter(([, flag]) => flag.resolvedAt === null)
    .map(([key, flag]) => ({ key, flag }))
    .sort((a, b) => compareNewestFirst(a, b));
}

/** Newest raised first; the key breaks ties so every desk lists flags in one order. */
export function compareNewestFirst(a: OpenFlag, b: OpenFlag): number {
  if (a.flag.raisedAt !== b.flag.raisedAt) return a.flag.raisedAt < b.flag.raisedAt ? 1 : -1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The id of the other record a flag names, or null for a flag about the record alone (a lifecycle conflict). */
export function otherRecordOf(key: string): string | null {
  const [code, ...rest] = key.split(':');
  if (code === 'lifecycle' || rest.length === 0) return null;
  return rest.join(':') || null;
}

/**
 * Whether two bookings still clash: both hold the slot and their times
 * overlap. Once one is moved or cancelled the flag has nothing left to say
 * and the inbox offers to clear it.
 */
export function bookingsStillClash(
  a: Pick<Appointment, 'providerId' | 'start' | 'end' | 'status'>,
  b: Pick<Appointment, 'providerId' | 'start' | 'end' | 'status'>,
): boolean {
  return (
    a.providerId === b.providerId && holdsSlot(a.status) && holdsSlot(b.status) && a.start < b.end && b.start < a.end
  );
}

export interface LifecycleConflict<S extends string> {
  /** The step that lost: a no-show that met a check-in, a late undo. */
  event: StatusEvent<S>;
  /** The status the record is in now. */
  current: S;
  /**
   * The steps that take the record to the lost step's status now, made
   * knowingly as new steps: directly when the lifecycle allows it, else by
   * first undoing the current status (a check-in taken back, then the
   * no-show). Empty when it cannot be reached.
   */
  acceptSteps: S[];
}

/** The status event a lifecycle flag is about, and how its status could still be reached. */
export function lifecycleConflictOf<S extends string>(
  collection: 'appointments' | 'queueEntries',
  record: { status: S; statusLog: readonly StatusEvent<S>[] },
  key: string,
  role: ActorRole,
): LifecycleConflict<S> | null {
  if (!key.startsWith('lifecycle:')) return null;
  const hlc = key.slice('lifecycle:'.length);
  const event = record.statusLog.find((e) => e.hlc === hlc);
  if (event === undefined) return null;
  const lifecycle = (collection === 'appointments' ? appointmentLifecycle : queueLifecycle) as unknown as Lifecycle<S>;
  return { event, current: record.status, acceptSteps: stepsTo(lifecycle, role, record.status, event.to) };
}

function stepsTo<S extends string>(lifecycle: Lifecycle<S>, role: ActorRole, from: S, to: S): S[] {
  if (from === to) return [];
  if (checkTransition(lifecycle, role, from, to).ok) return [to];
  const back = undoTarget(lifecycle, from);
  if (
    back !== null &&
    checkTransition(lifecycle, role, from, back).ok &&
    checkTransition(lifecycle, role, back, to).ok
  ) {
    return [back, to];
  }
  return [];
}
