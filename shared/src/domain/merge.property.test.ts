import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import {
  collectionNames,
  collectionSpec,
  lifecycleOf,
  lifecyclesOf,
  type CollectionName,
  type RecordTypes,
} from './collections.js';
import { isUndo, replayStatusLog, type StatusEvent } from './lifecycle.js';
import { mergeRecords } from './merge.js';
import { changeRecord, createRecord, parseRecord } from './records.js';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import type { AttentionFlag } from './schemas/common.js';
import { historyPlan, playHistory } from './testing/record-histories.js';

/**
 * The merge of docs/architecture.md §4.1, checked over generated offline histories of
 * every collection: replicas converge whatever order or grouping the changes
 * arrive in, and no status event or attention flag is lost on the way.
 */

const RUNS = 120;
/** Lifecycle conflicts need longer histories to meet: spend most of the budget there. */
const runsFor = (name: CollectionName) => (lifecyclesOf(collectionSpec(name)).length > 0 ? 700 : RUNS);

type Doc = Record<string, unknown> & {
  attention: Record<string, AttentionFlag>;
  statusLog?: StatusEvent<string>[];
};

const same = (a: unknown, b: unknown) => expect(canonicalJson(a)).toBe(canonicalJson(b));

/** Merges states as a random binary tree over a random permutation: any delivery order, any grouping. */
function mergeInRandomShape<K extends CollectionName>(
  name: K,
  states: RecordTypes[K][],
  dice: number[],
): RecordTypes[K] {
  let roll = 0;
  const next = (n: number) => (dice.length === 0 ? 0 : dice[roll++ % dice.length]! % n);
  const shuffled = [...states];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = next(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const tree = (items: RecordTypes[K][]): RecordTypes[K] => {
    if (items.length === 1) return items[0]!;
    const split = 1 + next(items.length - 1);
    return mergeRecords(name, tree(items.slice(0, split)), tree(items.slice(split)));
  };
  return tree(shuffled);
}

const pick = <T>(items: T[], index: number) => items[index % items.length]!;

describe.each(collectionNames)('mergeRecords("%s") over concurrent offline histories', (name) => {
  const plan = historyPlan(name);

  it('is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(plan, fc.nat(), fc.nat(), fc.nat(), (p, i, j, k) => {
        const { states } = playHistory(name, p);
        const [a, b, c] = [pick(states, i), pick(states, j), pick(states, k)];
        same(mergeRecords(name, a, b), mergeRecords(name, b, a));
        same(mergeRecords(name, mergeRecords(name, a, b), c), mergeRecords(name, a, mergeRecords(name, b, c)));
        same(mergeRecords(name, a, a), a);
        const ab = mergeRecords(name, a, b);
        same(mergeRecords(name, ab, b), ab);
      }),
      { numRuns: runsFor(name) },
    );
  });

  it('converges whatever order and grouping the replicas meet in', () => {
    fc.assert(
      fc.property(plan, fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), (p, d1, d2) => {
        const { states, finals } = playHistory(name, p);
        const everything = [...finals, ...states.filter((_, i) => i % 3 === 0)];
        same(mergeInRandomShape(name, everything, d1), mergeInRandomShape(name, everything, d2));
      }),
      { numRuns: runsFor(name) },
    );
  });

  it('keeps every status event and attention flag, and always yields a valid record', () => {
    fc.assert(
      fc.property(plan, fc.array(fc.nat(), { maxLength: 40 }), (p, dice) => {
        const { states, finals } = playHistory(name, p);
        const inputs = [...finals, ...states.filter((_, i) => i % 2 === 1)];
        const merged = mergeInRandomShape(name, inputs, dice) as unknown as Doc;
        const parsed = parseRecord(name, merged);
        expect(parsed.ok ? [] : parsed.issues).toEqual([]);
        for (const input of inputs as unknown as Doc[]) {
          expectEventsKept(input, merged);
          expectFlagsKept(input, merged);
        }
        expectEveryEventAccountedFor(name, merged);
      }),
      { numRuns: runsFor(name) },
    );
  });
});

describe('mergeRecords with minimised replicas (a kiosk holds some fields only)', () => {
  const DROPPABLE = ['name', 'notes', 'copayCents', 'start', 'end', 'roomId', 'priority', 'phone', 'address'];
  /** Drops fields as a role projection does; `keepClocks` also models a sloppy one that keeps their clocks. */
  function minimise<T>(record: T, drop: string[], keepClocks: boolean): T {
    const doc = { ...(record as Record<string, unknown>) } as Record<string, unknown> & {
      clocks: Record<string, string>;
    };
    for (const field of drop) delete doc[field];
    if (!keepClocks) doc.clocks = Object.fromEntries(Object.entries(doc.clocks).filter(([f]) => !drop.includes(f)));
    return doc as T;
  }

  it.each(collectionNames)('%s: still commutative, associative and idempotent', (name) => {
    fc.assert(
      fc.property(
        historyPlan(name),
        fc.array(fc.tuple(fc.nat(), fc.subarray(DROPPABLE), fc.boolean()), { minLength: 3, maxLength: 3 }),
        (p, picks) => {
          const { states } = playHistory(name, p);
          const [a, b, c] = picks.map(([i, drop, keep]) => minimise(pick(states, i), drop, keep));
          same(mergeRecords(name, a!, b!), mergeRecords(name, b!, a!));
          same(mergeRecords(name, mergeRecords(name, a!, b!), c!), mergeRecords(name, a!, mergeRecords(name, b!, c!)));
          same(mergeRecords(name, a!, a!), a);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

function expectEventsKept(input: Doc, merged: Doc) {
  const kept = new Set((merged.statusLog ?? []).map(canonicalJson));
  for (const event of input.statusLog ?? []) expect(kept.has(canonicalJson(event))).toBe(true);
}

/**
 * Every flag survives under its key; a resolution may replace an open flag,
 * never the other way round. Open lifecycle-conflict flags are the exception
 * by design: they are derived from the status log (see normalizeRecord), so
 * the merged log decides them; a conflict seen in part of the history can
 * dissolve once the whole history is known (the desk that marked a no-show
 * had not seen a check-in that was later undone). What a replica can never
 * lose is the event itself, and a conflict somebody already resolved.
 */
function expectFlagsKept(input: Doc, merged: Doc) {
  for (const [key, flag] of Object.entries(input.attention)) {
    if (flag.code === 'lifecycle-conflict' && flag.resolvedAt === null) continue;
    const kept = merged.attention[key];
    expect(kept, `flag ${key}`).toBeDefined();
    expect(kept!.code).toBe(flag.code);
    if (flag.resolvedAt !== null) expect(kept!.resolvedAt).not.toBeNull();
  }
}

/**
 * Nothing done offline disappears silently: each status event in the merged
 * log was applied, or is named in an attention flag, or agrees with where the
 * record is: it repeats the step already made (two desks calling one ticket),
 * it says the patient is here when the record already says so (a late "called"
 * once the patient is in the room), or it takes back an absence once the
 * patient is known to be here. And an applied step made from a status the record
 * had meanwhile left never took back progress its author did not see.
 */
function expectEveryEventAccountedFor(name: CollectionName, merged: Doc) {
  const lifecycle = lifecycleOf(collectionSpec(name), merged)?.lifecycle;
  if (!lifecycle) return;
  const replay = replayStatusLog(lifecycle, merged.statusLog ?? []);
  const applied = new Set(replay.applied.map((e) => e.hlc));
  const presence = (s: string | null | undefined) => s != null && lifecycle.presence.includes(s);
  const absence = (s: string | null | undefined) => s != null && lifecycle.absence.includes(s);
  for (const event of merged.statusLog ?? []) {
    const state = replay.applied.filter((e) => e.hlc < event.hlc).at(-1)?.to;
    if (applied.has(event.hlc)) {
      // A step made from a status the record had left never takes back progress its author did not see.
      const stale = event.from !== null && event.from !== state;
      if (stale) expect(isUndo(lifecycle, event.from, event.to) || isUndo(lifecycle, state!, event.to)).toBe(false);
      continue;
    }
    if (merged.attention[`lifecycle:${event.hlc}`] !== undefined) continue;
    const agrees =
      event.to === state ||
      (presence(event.to) && presence(state)) ||
      (isUndo(lifecycle, event.from, event.to) && absence(event.from) && presence(state));
    expect(agrees, `event ${event.hlc} ${event.from}->${event.to} dropped in "${state}"`).toBe(true);
  }
}

describe("an appointment's time under concurrent moves and resizes", () => {
  const base = Date.UTC(2026, 10, 23, 9, 0);
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const edits = [
    { start: at(60), end: at(80) },
    { start: at(0), end: at(20) },
    { end: at(40) },
    { end: at(10) },
    { start: at(15) },
    { start: at(-30) },
  ];

  it.each(edits.flatMap((a) => edits.map((b) => [a, b] as const)))(
    'keeps start before end: %j on one desk, %j on another',
    (editA, editB) => {
      for (const skewB of [-60_000, 60_000]) {
        const now = base - 3_600_000;
        const a = new HybridClock('desk-a', () => now);
        const b = new HybridClock('desk-b', () => now + skewB);
        const created = createRecord(
          'appointments',
          {
            id: newId(),
            siteId: newId(),
            patientId: newId(),
            providerId: newId(),
            roomId: null,
            start: at(0),
            end: at(20),
            visitType: 'follow-up',
            status: 'booked',
            copayCents: null,
            notes: null,
          },
          a,
          { id: 'desk', role: 'desk', source: 'desk' },
        );
        const left = changeRecord('appointments', created, editA, a);
        const right = changeRecord('appointments', created, editB, b);
        const merged = mergeRecords('appointments', left, right);
        expect(parseRecord('appointments', merged).ok).toBe(true);
        // One desk's time wins as a whole; never half of each.
        expect([left, right].map((r) => `${r.start}/${r.end}`)).toContain(`${merged.start}/${merged.end}`);
      }
    },
  );
});
