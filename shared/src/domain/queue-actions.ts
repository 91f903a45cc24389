import type { HybridClock } from './hlc.js';
import { hlcToIso } from './hlc.js';
import { enteredAt, replayStatusLog, undoTarget } from './lifecycle.js';
import { orderQueue, peopleAhead, type QueuedEntry, type QueueOrderOptions } from './queue-order.js';
import { changeRecord, DomainError, transitionRecord, type Actor } from './records.js';
import { queueLifecycle, type QueueEntry, type QueueStatus } from './schemas/queue-entry.js';
import type { Room } from './schemas/room.js';

/**
 * What the queue board does to an entry, as pure steps over the record: each
 * returns the next state for the caller to save, made with the device's clock,
 * so every action works offline and merges like any other change.
 */

export interface QueueStep {
  clock: HybridClock;
  actor: Actor;
}

/** The actions the board offers on an entry in a given status. */
export type QueueAction = 'call' | 'recall' | 'send-in' | 'change-room' | 'done' | 'requeue' | 'no-show' | 'undo';

const ACTIONS: Record<QueueStatus, readonly QueueAction[]> = {
  waiting: ['call', 'no-show'],
  called: ['send-in', 'recall', 'change-room', 'requeue', 'no-show', 'undo'],
  'in-room': ['done', 'change-room', 'requeue'],
  done: ['undo'],
  left: ['requeue', 'undo'],
  'no-show': ['requeue', 'undo'],
};

export function queueActionsFor(status: QueueStatus): readonly QueueAction[] {
  return ACTIONS[status];
}

/** The waiting entry `Call next` takes: the head of the derived order, or null when nobody waits. */
export function nextToCall<T extends QueuedEntry>(entries: readonly T[], options: QueueOrderOptions): T | null {
  return orderQueue(entries, options)[0] ?? null;
}

/**
 * The waiting entries a call of `entryId` passes over: empty when it is the
 * next one. A call that passes someone over needs a reason.
 */
export function passedOver<T extends QueuedEntry>(
  entries: readonly T[],
  entryId: string,
  options: QueueOrderOptions,
): T[] {
  return peopleAhead(orderQueue(entries, options), entryId);
}

/**
 * Calls a waiting entry (or one marked no-show who turned up after all) to a
 * room. A call out of turn keeps its reason on the entry (see `passedOver`);
 * a later call in turn clears an earlier reason.
 */
export function callToRoom(
  entry: QueueEntry,
  roomId: string,
  step: QueueStep,
  reason: string | null = null,
): QueueEntry {
  const why = reason?.trim() || null;
  const patch =
    why !== null ? { roomId, callReason: why } : entry.callReason ? { roomId, callReason: null } : { roomId };
  const roomed = changeRecord('queueEntries', entry, patch, step.clock);
  return transitionRecord('queueEntries', roomed, 'called', step.clock, step.actor);
}

/**
 * Calls a called ticket again: the waiting-room screen shows the latest call
 * first, so the entry is taken back to waiting and called anew, which gives it
 * a new call time while it keeps its room.
 */
export function recall(entry: QueueEntry, step: QueueStep): QueueEntry {
  if (entry.status !== 'called') {
    throw new DomainError(
      'transition-not-allowed',
      `only a called ticket can be recalled, not a "${entry.status}" one`,
    );
  }
  const back = transitionRecord('queueEntries', entry, 'waiting', step.clock, step.actor);
  return transitionRecord('queueEntries', back, 'called', step.clock, step.actor);
}

export function assignRoom(entry: QueueEntry, roomId: string | null, step: QueueStep): QueueEntry {
  return changeRecord('queueEntries', entry, { roomId }, step.clock);
}

/** The called patient has reached the room. */
export function sendIn(entry: QueueEntry, step: QueueStep): QueueEntry {
  return transitionRecord('queueEntries', entry, 'in-room', step.clock, step.actor);
}

export function finishVisit(entry: QueueEntry, step: QueueStep): QueueEntry {
  return transitionRecord('queueEntries', entry, 'done', step.clock, step.actor);
}

/** Puts an entry back among the waiting, out of any room; it keeps its ticket and its place in the derived order. */
export function requeue(entry: QueueEntry, step: QueueStep): QueueEntry {
  const back = transitionRecord('queueEntries', entry, 'waiting', step.clock, step.actor);
  return assignRoom(back, null, step);
}

export function markNoShow(entry: QueueEntry, step: QueueStep): QueueEntry {
  const absent = transitionRecord('queueEntries', entry, 'no-show', step.clock, step.actor);
  return assignRoom(absent, null, step);
}

/** The status "Undo" returns an entry to, or null when its last step cannot be taken back. */
export function undoStatus(entry: Pick<QueueEntry, 'status'>): QueueStatus | null {
  return undoTarget(queueLifecycle, entry.status);
}

/** Takes back the entry's last step as the lifecycle allows; an entry back to waiting leaves its room. */
export function undoLastStep(entry: QueueEntry, step: QueueStep): QueueEntry {
  const target = undoStatus(entry);
  if (target === null) {
    throw new DomainError('transition-not-allowed', `nothing to undo for a "${entry.status}" ticket`, {
      from: entry.status,
    });
  }
  const back = transitionRecord('queueEntries', entry, target, step.clock, step.actor);
  return target === 'waiting' ? assignRoom(back, null, step) : back;
}

/** When the entry entered its current status (ISO-8601 UTC): "called 4 min ago", "in the room since 10:02". */
export function statusSince(entry: Pick<QueueEntry, 'statusLog' | 'status'>): string {
  const replay = replayStatusLog(queueLifecycle, entry.statusLog);
  const event = enteredAt(replay, [replay.status]) ?? replay.current;
  return hlcToIso(event.hlc);
}

export type RoomState = 'available' | 'called' | 'occupied' | 'cleaning' | 'out-of-service';

export interface RoomUse<E> {
  room: Room;
  /** Who is in the room (or called to it), if anyone. */
  occupant: E | null;
  /** Since when the room has been in this state, when the board knows. */
  since: string | null;
  state: RoomState;
}

/**
 * Each room with who is in it, derived from today's entries rather than read
 * from the room's stored status, so two desks never disagree about occupancy:
 * a patient in the room makes it occupied, one called to it makes it awaited;
 * otherwise the room's own status (cleaning) stands. A room out of service
 * stays so whoever is still in it.
 */
export function roomUse<E extends Pick<QueueEntry, 'status' | 'roomId' | 'statusLog'>>(
  rooms: readonly Room[],
  entries: readonly E[],
): RoomUse<E>[] {
  return rooms.map((room) => {
    const here = entries.filter((entry) => entry.roomId === room.id);
    const inRoom = latest(here.filter((entry) => entry.status === 'in-room'));
    const called = inRoom ? null : latest(here.filter((entry) => entry.status === 'called'));
    const who = inRoom ?? called;
    // Out of service stands even with someone still inside: nobody new is sent there.
    if (room.status === 'out-of-service') {
      return { room, occupant: who?.entry ?? null, since: who?.since ?? null, state: 'out-of-service' };
    }
    if (inRoom) return { room, occupant: inRoom.entry, since: inRoom.since, state: 'occupied' };
    if (called) return { room, occupant: called.entry, since: called.since, state: 'called' };
    return { room, occupant: null, since: null, state: room.status === 'cleaning' ? 'cleaning' : 'available' };
  });
}

function latest<E extends Pick<QueueEntry, 'status' | 'statusLog'>>(
  entries: readonly E[],
): { entry: E; since: string } | null {
  let best: { entry: E; since: string } | null = null;
  for (const entry of entries) {
    const since = statusSince(entry);
    if (best === null || since > best.since) best = { entry, since };
  }
  return best;
}

/** Rooms a patient may be called to, from `roomUse` over every queue's entries: not out of service, rooms in use last. */
export function callableRooms<E>(uses: readonly RoomUse<E>[]): RoomUse<E>[] {
  const rank: Record<RoomState, number> = { available: 0, cleaning: 1, called: 2, occupied: 3, 'out-of-service': 4 };
  return uses
    .filter((use) => use.state !== 'out-of-service')
    .sort((a, b) => rank[a.state] - rank[b.state] || a.room.name.localeCompare(b.room.name));
}
