import { canonicalJson } from './canonical-json.js';
import type { AttentionFlag } from './schemas/common.js';
import { hlcToIso, type Hlc } from './hlc.js';

export type ActorRole = 'admin' | 'desk' | 'kiosk' | 'display' | 'integration' | 'server';

/**
 * A lifecycle as data: which statuses exist, which steps are allowed, and which
 * statuses are evidence that the patient is physically here (presence) versus
 * statements that they are not (absence). Every client and the server replay
 * the same status log through the same definition, so they agree on the outcome.
 */
export interface Lifecycle<S extends string> {
  name: string;
  statuses: readonly S[];
  initial: readonly S[];
  transitions: { readonly [K in S]: readonly S[] };
  presence: readonly S[];
  absence: readonly S[];
  /** Who may make which step; a role missing here may make none. */
  roles: Partial<Record<ActorRole, 'any' | readonly (readonly [S | null, S])[]>>;
  /**
   * Steps that take an earlier step back (un-call, undo check-in, un-no-show),
   * at most one per status. A desk offers them as "Undo"; the replay never lets
   * one made from a status the record has since left take back progress its
   * author did not see.
   */
  undo?: readonly (readonly [S, S])[];
}

/** Whether `from` -> `to` takes an earlier step back. */
export function isUndo<S extends string>(lifecycle: Lifecycle<S>, from: S | null, to: S): boolean {
  return (lifecycle.undo ?? []).some(([f, t]) => f === from && t === to);
}

/** The status an "Undo" from `status` returns to, or null when there is nothing to take back. */
export function undoTarget<S extends string>(lifecycle: Lifecycle<S>, status: S): S | null {
  return (lifecycle.undo ?? []).find(([from]) => from === status)?.[1] ?? null;
}

export interface StatusEvent<S extends string> {
  from: S | null;
  to: S;
  hlc: Hlc;
  by: string;
  source: 'desk' | 'kiosk' | 'api' | 'server';
}

/**
 * How a pushed status log differs from the one already recorded. An event is
 * identified by its hlc and never changes once recorded: `rewritten` are events
 * that reuse a recorded hlc with other content (a forgery or a corrupt replica,
 * refused for every writer), `added` the events not recorded yet, which the
 * writer answers for.
 */
export function statusLogChanges<S extends string>(
  recorded: readonly StatusEvent<S>[],
  pushed: readonly StatusEvent<S>[],
): { added: StatusEvent<S>[]; rewritten: StatusEvent<S>[] } {
  const byHlc = new Map(recorded.map((event) => [event.hlc, canonicalJson(event)]));
  const added: StatusEvent<S>[] = [];
  const rewritten: StatusEvent<S>[] = [];
  for (const event of pushed) {
    const known = byHlc.get(event.hlc);
    if (known === undefined) added.push(event);
    else if (known !== canonicalJson(event)) rewritten.push(event);
  }
  return { added, rewritten };
}

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

export function checkTransition<S extends string>(
  lifecycle: Lifecycle<S>,
  role: ActorRole,
  from: S | null,
  to: S,
): TransitionCheck {
  const allowed = from === null ? lifecycle.initial.includes(to) : lifecycle.transitions[from].includes(to);
  if (!allowed) {
    return {
      ok: false,
      reason:
        from === null
          ? `a ${lifecycle.name} cannot start as "${to}"`
          : `a ${lifecycle.name} cannot go from "${from}" to "${to}"`,
    };
  }
  const grant = lifecycle.roles[role];
  const permitted = grant === 'any' || (grant ?? []).some(([f, t]) => f === from && t === to);
  return permitted ? { ok: true } : { ok: false, reason: `role "${role}" may not move a ${lifecycle.name} to "${to}"` };
}

export interface Replay<S extends string> {
  status: S;
  /** The event that put the record into its current status. */
  current: StatusEvent<S>;
  /** Each applied event, in order. */
  applied: StatusEvent<S>[];
  /** Lifecycle conflicts found while replaying, keyed for stable identity across replicas. */
  flags: Record<string, AttentionFlag>;
}

/** Total order for status events; the HLC already breaks ties between devices. */
export function compareEvents<S extends string>(a: StatusEvent<S>, b: StatusEvent<S>): number {
  return a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0;
}

/**
 * Replays a status log. Events apply in HLC order. An event made from the
 * status the record is in applies as made. An event made from a status the
 * record has since left (another device moved it meanwhile: the event is
 * stale) is judged against where the record is now:
 *
 * - the same step made twice (two desks calling one ticket) changes nothing;
 * - absence never overrides presence: a no-show or cancel concurrent with a
 *   check-in is kept as an attention flag, and a check-in concurrent with an
 *   earlier no-show wins and flags that no-show;
 * - a stale step never takes back progress its author did not see: an un-call
 *   made after another desk took the patient into a room is flagged, not
 *   applied, and a step that would only be allowed as an undo from the current
 *   status (a late "in-room" after "done") is not applied either;
 * - a stale step that disagrees with nothing the patient-facing state says is
 *   dropped quietly: a late "called" once the patient is already in the room,
 *   or an un-no-show once the patient has been checked in or called;
 * - any other stale step applies when the lifecycle allows it from the
 *   current status, and is flagged when it does not.
 */
export function replayStatusLog<S extends string>(lifecycle: Lifecycle<S>, log: readonly StatusEvent<S>[]): Replay<S> {
  const events = [...log].sort(compareEvents);
  const first = events.find((e) => e.from === null && lifecycle.initial.includes(e.to)) ?? events[0];
  if (first === undefined) throw new Error(`a ${lifecycle.name} needs at least one status event`);
  let current = first;
  const applied = [first];
  const flags: Record<string, AttentionFlag> = {};
  const flag = (event: StatusEvent<S>, reason: string) => {
    flags[`lifecycle:${event.hlc}`] = {
      code: 'lifecycle-conflict',
      reason,
      raisedAt: hlcToIso(event.hlc),
      resolvedAt: null,
      resolvedBy: null,
    };
  };
  for (const event of events) {
    if (event === first) continue;
    const state = current.to;
    const outcome = judge(lifecycle, state, event);
    if (outcome === 'repeat' || outcome === 'agrees') continue;
    if (outcome === 'kept-presence') {
      flag(event, `"${event.to}" by ${event.by} was made while the patient was already "${state}"; kept "${state}"`);
      continue;
    }
    if (outcome === 'late-undo') {
      flag(
        event,
        `"${event.to}" by ${event.by} took back "${event.from}", but the record had meanwhile become "${state}"; it was not applied`,
      );
      continue;
    }
    if (outcome === 'refused') {
      flag(event, `"${event.to}" by ${event.by} could not follow "${state}"; it was not applied`);
      continue;
    }
    if (outcome === 'overrides-absence') {
      flag(current, `"${state}" by ${current.by} was overridden: the patient was "${event.to}" (${event.by})`);
    }
    current = event;
    applied.push(event);
  }
  return { status: current.to, current, applied, flags };
}

type Judgement = 'apply' | 'overrides-absence' | 'repeat' | 'agrees' | 'kept-presence' | 'late-undo' | 'refused';

/** What the replay does with `event` when the record is in `state`; see replayStatusLog. */
function judge<S extends string>(lifecycle: Lifecycle<S>, state: S, event: StatusEvent<S>): Judgement {
  if (event.to === state) return 'repeat';
  const allowed = lifecycle.transitions[state].includes(event.to);
  if (event.from === state) return allowed ? 'apply' : 'refused';
  const isPresence = (s: S | null) => s !== null && lifecycle.presence.includes(s);
  const isAbsence = (s: S | null) => s !== null && lifecycle.absence.includes(s);
  if (isAbsence(event.to) && isPresence(state)) return 'kept-presence';
  if (isPresence(event.to) && isAbsence(state)) return 'overrides-absence';
  if (isUndo(lifecycle, event.from, event.to)) {
    // Taking back a no-show (or a cancel, a "left") once the patient is known to be here: nothing to disagree on.
    return isAbsence(event.from) && isPresence(state) ? 'agrees' : 'late-undo';
  }
  if (allowed && !isUndo(lifecycle, state, event.to)) return 'apply';
  // The patient is here either way and the record is already elsewhere in the visit.
  return isPresence(event.to) && isPresence(state) ? 'agrees' : 'refused';
}

/** The time the record last entered one of `statuses`, if it is in one of them now. */
export function enteredAt<S extends string>(replay: Replay<S>, statuses: readonly S[]): StatusEvent<S> | null {
  if (!statuses.includes(replay.status)) return null;
  for (let i = replay.applied.length - 1; i >= 0; i--) {
    const event = replay.applied[i]!;
    const previous = replay.applied[i - 1];
    if (statuses.includes(event.to) && (previous === undefined || !statuses.includes(previous.to))) return event;
  }
  return null;
}
