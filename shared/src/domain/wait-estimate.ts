/**
 * How long a patient will wait before being called: a pure function of who is
 * ahead, who is seeing patients and how long visits have lately taken, so the
 * desk, the kiosk and the waiting-room screen all show the same number offline.
 *
 * The model, deliberately simple enough to explain to a patient:
 * - each visit type has an expected length: its configured default, pulled
 *   towards the median of recent visits of that type as they accumulate (the
 *   default counts as three visits, so from the fourth recent visit on the
 *   clinic's own pace weighs more than the configuration);
 * - providers on duty each take the next patient in queue order as soon as they
 *   are free; those seeing a patient now are free once that visit's expected
 *   length has passed (an overrunning visit is assumed to need a little more);
 * - the wait is when the first provider comes free after everyone ahead has
 *   been seen. Entries ahead of any priority count: an urgent patient ahead
 *   takes a provider like anyone else.
 *
 * The range repeats the same walk with short and long visits: the lower and
 * upper quartiles of recent visits, blended with 0.75 and 1.5 times the default
 * (visits overrun more often than they finish early).
 *
 * No provider on duty: null. Nobody can say when someone will be free, and a
 * made-up number is worse than "unknown".
 */

/** Visit type of a walk-in or any entry without an appointment. */
export const WALK_IN_VISIT_TYPE = 'walk-in';
/** Minutes for a visit type with neither a default nor recent visits. */
export const FALLBACK_VISIT_MINUTES = 15;

/** How many visits the configured default is worth against recent ones. */
const DEFAULT_WEIGHT = 3;
/** Only this many of the most recent visits of a type count: the clinic's pace today, not last month's. */
const RECENT_LIMIT = 20;
/** An overrunning visit is assumed to need this share of its expected length still. */
const OVERRUN_SHARE = 0.1;

export interface WaitingParty {
  /** Null for a walk-in. */
  visitType: string | null;
}

export interface VisitInProgress extends WaitingParty {
  /** When the patient went in (ISO-8601 UTC). */
  since: string;
}

export interface WaitEstimateInput {
  /** The entries ahead of the patient, in queue order (see `orderQueue` and `peopleAhead`). */
  peopleAhead: readonly WaitingParty[];
  /** Providers seeing patients from this queue now. */
  providersOnDuty: number;
  /** Visits going on now; each holds a provider until it ends. */
  inService?: readonly VisitInProgress[];
  /** Lengths in minutes of recently finished visits by visit type, oldest first. */
  recentServiceDurations: Readonly<Record<string, readonly number[]>>;
  /** Expected minutes by visit type, from the clinic's configuration. */
  defaultsByVisitType: Readonly<Record<string, number>>;
  now: Date;
}

export interface WaitEstimate {
  /** The expected wait in whole minutes. */
  minutes: number;
  /** A likely range around it, in whole minutes: low <= minutes <= high. */
  low: number;
  high: number;
}

interface VisitLength {
  expected: number;
  short: number;
  long: number;
}

export function estimateWait(input: WaitEstimateInput): WaitEstimate | null {
  const providers = Math.floor(input.providersOnDuty);
  if (!(providers >= 1)) return null;
  const lengths = new Map<string, VisitLength>();
  const lengthOf = (party: WaitingParty) => {
    const type = party.visitType ?? WALK_IN_VISIT_TYPE;
    let length = lengths.get(type);
    if (length === undefined) {
      length = visitLength(input.recentServiceDurations[type] ?? [], input.defaultsByVisitType[type]);
      lengths.set(type, length);
    }
    return length;
  };
  const walk = (pick: (length: VisitLength) => number) => {
    const freeAt: number[] = Array.from({ length: providers }, () => 0);
    for (const [i, visit] of (input.inService ?? []).slice(0, providers).entries()) {
      const planned = pick(lengthOf(visit));
      const elapsed = (input.now.getTime() - Date.parse(visit.since)) / 60_000;
      freeAt[i] = Math.max(planned - elapsed, planned * OVERRUN_SHARE);
    }
    for (const party of input.peopleAhead) {
      const next = freeAt.indexOf(Math.min(...freeAt));
      freeAt[next] = freeAt[next]! + pick(lengthOf(party));
    }
    return Math.min(...freeAt);
  };
  const minutes = Math.round(walk((l) => l.expected));
  return {
    minutes,
    low: Math.min(minutes, Math.floor(walk((l) => l.short))),
    high: Math.max(minutes, Math.ceil(walk((l) => l.long))),
  };
}

/**
 * The expected, short and long length of one visit type: the configured
 * default (or the fallback) blended with recent visits, which weigh more as
 * they accumulate.
 */
export function visitLength(recent: readonly number[], configured: number | undefined): VisitLength {
  const fallback = configured !== undefined && configured > 0 ? configured : FALLBACK_VISIT_MINUTES;
  const sample = recent
    .filter((m) => Number.isFinite(m) && m > 0)
    .slice(-RECENT_LIMIT)
    .sort((a, b) => a - b);
  const blend = (prior: number, observed: number) =>
    (DEFAULT_WEIGHT * prior + sample.length * observed) / (DEFAULT_WEIGHT + sample.length);
  if (sample.length === 0) return { expected: fallback, short: fallback * 0.75, long: fallback * 1.5 };
  return {
    expected: blend(fallback, quantile(sample, 0.5)),
    short: blend(fallback * 0.75, quantile(sample, 0.25)),
    long: blend(fallback * 1.5, quantile(sample, 0.75)),
  };
}

/** Linear-interpolated quantile of a sorted, non-empty sample. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
