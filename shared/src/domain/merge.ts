import { canonicalJson, sameJson } from './canonical-json.js';
import {
  collectionSpec,
  fieldGroupOf,
  lifecycleOf,
  lifecyclesOf,
  type CollectionName,
  type LifecycleSpec,
  type RecordTypes,
} from './collections.js';
import { maxHlc } from './hlc.js';
import { compareEvents, replayStatusLog, type StatusEvent } from './lifecycle.js';
import type { AttentionFlag } from './schemas/common.js';

/** A record as replicated: RxDB adds `_deleted` for tombstones. */
export type Replicated<T> = T & { _deleted?: boolean };

/** Fields that merge by their own rule rather than by last-writer-wins. */
const STRUCTURAL_FIELDS = new Set(['id', 'clocks', 'attention', 'needsAttention', 'statusLog']);
/** Local bookkeeping that RxDB keeps on a document and that never replicates. */
const LOCAL_FIELDS = new Set(['_meta', '_rev', '_attachments']);

type AnyDoc = Record<string, unknown> & {
  id: string;
  clocks: Record<string, string>;
  attention: Record<string, AttentionFlag>;
  statusLog?: StatusEvent<string>[];
};

/**
 * Merges two states of one record. The result depends only on the set of
 * writes the two states contain, never on which side is "local": the merge is
 * commutative, associative and idempotent, so replicas converge in any order.
 *
 * - plain fields: last writer wins by per-field hybrid logical clock; a field
 *   group (an appointment's start and end) wins or loses as one value;
 * - the status log: union of events, the status then replayed by domain rule;
 * - attention flags: union, a resolution wins over the open flag.
 */
export function mergeRecords<K extends CollectionName>(
  name: K,
  a: Replicated<RecordTypes[K]>,
  b: Replicated<RecordTypes[K]>,
): Replicated<RecordTypes[K]> {
  const spec = collectionSpec(name);
  const left = a as unknown as AnyDoc;
  const right = b as unknown as AnyDoc;
  if (left.id !== right.id) throw new Error(`cannot merge different records ${left.id} and ${right.id}`);
  const derived = derivedFields(lifecyclesOf(spec));
  const merged: Record<string, unknown> = { id: left.id };
  const clocks: Record<string, string> = {};
  const fields = new Set([...Object.keys(left), ...Object.keys(right)]);
  const settled = new Set<string>();
  for (const field of fields) {
    if (STRUCTURAL_FIELDS.has(field) || LOCAL_FIELDS.has(field) || derived.has(field) || settled.has(field)) continue;
    const group = fieldGroupOf(spec, field);
    const winner = lastWriter(group, left, right);
    if (winner === null) continue;
    // The whole group comes from one side, values and clocks alike, so the
    // merged group is exactly one of its inputs and merging stays a maximum.
    for (const member of group) {
      settled.add(member);
      if (winner[member] !== undefined) merged[member] = winner[member];
      const clock = winner.clocks[member];
      if (clock !== undefined) clocks[member] = clock;
    }
  }
  // Clocks of fields that neither side holds still have to converge. A held
  // field keeps the clock of the value it holds: a larger clock from a side
  // without the value would let the next merge prefer a value it never saw.
  for (const [field, clock] of [...Object.entries(left.clocks), ...Object.entries(right.clocks)]) {
    if (!settled.has(field) && (clocks[field] ?? '') < clock) clocks[field] = clock;
  }
  merged.clocks = clocks;
  merged.attention = mergeFlags(left.attention, right.attention);
  // A record's kind never changes, so either side names its lifecycle.
  if (lifecycleOf(spec, { ...right, ...left }))
    merged.statusLog = unionEvents(left.statusLog ?? [], right.statusLog ?? []);
  return normalizeRecord(name, merged as unknown as Replicated<RecordTypes[K]>);
}

/**
 * Recomputes every derived field of a record from the facts it holds. Applied
 * after every merge and every local write, and by the server to every pushed
 * record, so a client can never make derived state disagree with its log.
 */
export function normalizeRecord<K extends CollectionName>(
  name: K,
  record: Replicated<RecordTypes[K]>,
): Replicated<RecordTypes[K]> {
  const spec = collectionSpec(name);
  const doc = { ...(record as unknown as AnyDoc) };
  // Unresolved lifecycle flags are recomputed from the log, never carried over:
  // a flag found in a partial log may vanish once the whole log is known.
  const attention = Object.fromEntries(
    Object.entries(doc.attention).filter(([, f]) => f.code !== 'lifecycle-conflict' || f.resolvedAt !== null),
  );
  const lifecycle = lifecycleOf(spec, doc);
  if (lifecycle) {
    const replay = replayStatusLog(lifecycle.lifecycle, doc.statusLog ?? []);
    Object.assign(doc, lifecycle.derive(replay));
    for (const [key, flag] of Object.entries(replay.flags)) attention[key] ??= flag;
  }
  doc.attention = attention;
  doc.needsAttention = Object.values(attention).some((f) => f.resolvedAt === null);
  return doc as unknown as Replicated<RecordTypes[K]>;
}

/** Whether two states of a record hold the same facts (RxDB's local bookkeeping aside). */
export function isSameRecord(a: object, b: object): boolean {
  return sameJson(withoutLocalFields(a), withoutLocalFields(b));
}

function withoutLocalFields(doc: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { _deleted: false };
  for (const [k, v] of Object.entries(doc)) if (!LOCAL_FIELDS.has(k)) copy[k] = v;
  return copy;
}

function derivedFields(lifecycles: LifecycleSpec<object, string>[]): Set<string> {
  // The derived keys are the same for every replay, so derive from a minimal one.
  return new Set(
    lifecycles.flatMap((spec) => {
      const first = spec.lifecycle.initial[0]!;
      const probe = replayStatusLog(spec.lifecycle, [
        { from: null, to: first, hlc: '000000000000000:000000:probe', by: 'probe', source: 'server' },
      ]);
      return Object.keys(spec.derive(probe));
    }),
  );
}

/**
 * The side whose write of `fields` (one field, or a group that merges as one
 * value) is the latest, or null when neither side holds any of them. A side
 * holding the whole group beats one holding part of it (a minimised replica),
 * which beats one holding none; then the later clock wins; the rest only
 * makes the order total, so both sides always pick the same winner.
 */
function lastWriter(fields: readonly string[], a: AnyDoc, b: AnyDoc): AnyDoc | null {
  const [ka, kb] = [writeKey(fields, a), writeKey(fields, b)];
  if (ka[0] === 0 && kb[0] === 0) return null;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]! ? a : b;
  return a;
}

function writeKey(fields: readonly string[], doc: AnyDoc): [number, string, string, string] {
  const held = fields.filter((field) => doc[field] !== undefined);
  const holding = held.length === fields.length ? 2 : held.length > 0 ? 1 : 0;
  const clock = held.reduce((max, field) => maxHlc(max, doc.clocks[field]) ?? '', '');
  // Same clock means the same write, unless a replica was tampered with.
  return [
    holding,
    clock,
    canonicalJson(fields.map((field) => doc[field] ?? null)),
    canonicalJson(fields.map((field) => doc.clocks[field] ?? null)),
  ];
}

function unionEvents(a: StatusEvent<string>[], b: StatusEvent<string>[]): StatusEvent<string>[] {
  const byHlc = new Map<string, StatusEvent<string>>();
  for (const event of [...a, ...b]) {
    const seen = byHlc.get(event.hlc);
    if (seen === undefined || canonicalJson(event) > canonicalJson(seen)) byHlc.set(event.hlc, event);
  }
  return [...byHlc.values()].sort(compareEvents);
}

export function mergeFlags(
  a: Record<string, AttentionFlag>,
  b: Record<string, AttentionFlag>,
): Record<string, AttentionFlag> {
  const merged: Record<string, AttentionFlag> = { ...a };
  for (const [key, flag] of Object.entries(b)) {
    const other = merged[key];
    merged[key] = other === undefined ? flag : preferredFlag(other, flag);
  }
  return Object.fromEntries(Object.entries(merged).sort(([x], [y]) => (x < y ? -1 : 1)));
}

function preferredFlag(a: AttentionFlag, b: AttentionFlag): AttentionFlag {
  if ((a.resolvedAt === null) !== (b.resolvedAt === null)) return a.resolvedAt === null ? b : a;
  return canonicalJson(a) >= canonicalJson(b) ? a : b;
}
