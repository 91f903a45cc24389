import { BehaviorSubject } from 'rxjs';
import type { AnyRecord, CollectionName, Replicated } from '../domain/index.js';

type Doc = Replicated<AnyRecord>;

/**
 * The facts a local write added to a record: the clock of each field it set,
 * the status events it appended and the attention flags it raised or resolved.
 * Values are left out on purpose: the pending set is kept in RxDB's local
 * documents, which the at-rest encryption does not cover, so it must hold no
 * patient data.
 */
export interface WriteMark {
  clocks: Record<string, string>;
  events: string[];
  /** Flag key to whether this write saw it resolved. */
  flags: Record<string, boolean>;
}

export interface PendingEntry {
  collection: CollectionName;
  id: string;
  mark: WriteMark;
}

const key = (collection: CollectionName, id: string) => `${collection}\u0000${id}`;

function markOf(doc: Doc): WriteMark {
  const record = doc as unknown as {
    clocks: Record<string, string>;
    statusLog?: { hlc: string }[];
    attention: Record<string, { resolvedAt: string | null }>;
  };
  return {
    clocks: { ...record.clocks },
    events: (record.statusLog ?? []).map((e) => e.hlc),
    flags: Object.fromEntries(Object.entries(record.attention).map(([k, f]) => [k, f.resolvedAt !== null])),
  };
}

function joinMarks(a: WriteMark, b: WriteMark): WriteMark {
  const clocks = { ...a.clocks };
  for (const [field, clock] of Object.entries(b.clocks)) if ((clocks[field] ?? '') < clock) clocks[field] = clock;
  const flags = { ...a.flags };
  for (const [k, resolved] of Object.entries(b.flags)) flags[k] = flags[k] === true || resolved;
  return { clocks, events: [...new Set([...a.events, ...b.events])], flags };
}

/** Whether a pushed state holds every fact of the mark (the merge of the two would be the pushed state). */
function contains(pushed: WriteMark, mark: WriteMark): boolean {
  const events = new Set(pushed.events);
  return (
    Object.entries(mark.clocks).every(([field, clock]) => (pushed.clocks[field] ?? '') >= clock) &&
    mark.events.every((hlc) => events.has(hlc)) &&
    Object.entries(mark.flags).every(([k, resolved]) => k in pushed.flags && (!resolved || pushed.flags[k] === true))
  );
}

/**
 * Local writes not yet acknowledged by the server. RxDB does not expose this,
 * so the device tracks it: a write stays pending until a push the server
 * accepted contains it (the pushed state subsumes the local write), which
 * also covers writes that went up only after a conflict was resolved.
 */
export class PendingChanges {
  private readonly writes = new Map<string, PendingEntry>();
  readonly count$ = new BehaviorSubject(0);

  constructor(initial: PendingEntry[] = []) {
    for (const entry of initial) this.writes.set(key(entry.collection, entry.id), entry);
    this.count$.next(this.writes.size);
  }

  /** Records a local write; returns how to take it back if the write then fails. */
  add(collection: CollectionName, doc: Doc): () => void {
    const k = key(collection, doc.id);
    const earlier = this.writes.get(k);
    const mark = earlier ? joinMarks(earlier.mark, markOf(doc)) : markOf(doc);
    this.writes.set(k, { collection, id: doc.id, mark });
    this.count$.next(this.writes.size);
    return () => {
      if (earlier) this.writes.set(k, earlier);
      else this.writes.delete(k);
      this.count$.next(this.writes.size);
    };
  }

  /** The server stored `pushed`; every local write it contains is no longer pending. */
  acknowledge(collection: CollectionName, pushed: Doc): void {
    const k = key(collection, pushed.id);
    const local = this.writes.get(k);
    if (local === undefined || !contains(markOf(pushed), local.mark)) return;
    this.writes.delete(k);
    this.count$.next(this.writes.size);
  }

  entries(): PendingEntry[] {
    return [...this.writes.values()];
  }

  get size(): number {
    return this.writes.size;
  }
}
