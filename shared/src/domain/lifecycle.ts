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
}

export interface StatusEvent<S extends string> {
  from: S | null;
  to: S;
  hlc: Hlc;
  by: string;
  source: 'desk' | 'kiosk' | 'api' | 'server';
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
 * Replays a status log. An event made from a status the record has since left
 * (another device moved it meanwhile) still applies when the step is allowed
 * from where the record is now, except that absence never overrides presence:
 * a no-show or cancel concurrent with a check-in is kept as an attention flag,
 * and a check-in concurrent with an earlier no-show wins and flags that no-show.
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
    if (event.to === state) continue; // the same step made twice, e.g. two desks calling one patient
    const stale = event.from !== state;
    const isPresence = (s: S) => lifecycle.presence.includes(s);
    const isAbsence = (s: S) => lifecycle.absence.includes(s);
    if (stale && isAbsence(event.to) && isPresence(state)) {
      flag(event, `"${event.to}" by ${event.by} was made while the patient was already "${state}"; kept "${state}"`);
      continue;
    }
    const allowed = lifecycle.transitions[state].includes(event.to);
    const presenceOverridesAbsence = stale && isPresence(event.to) && isAbsence(state);
    if (presenceOverridesAbsence) {
      flag(current, `"${state}" by ${current.by} was overridden: the patient was "${event.to}" (${event.by})`);
    } else if (!allowed) {
      flag(event, `"${event.to}" by ${event.by} could not follow "${state}"; it was not applied`);
      continue;
    }
    current = event;
    applied.push(event);
  }
  return { status: current.to, current, applied, flags };
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
