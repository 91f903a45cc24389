import { BehaviorSubject } from 'rxjs';
import { isSameRecord, mergeRecords, type CollectionName, type Replicated, type AnyRecord } from '../domain/index.js';

type Doc = Replicated<AnyRecord>;
const key = (collection: CollectionName, id: string) => `${collection}\u0000${id}`;

/**
 * Local writes not yet acknowledged by the server. RxDB does not expose this,
 * so the device tracks it: a write stays pending until a push the server
 * accepted contains it (the pushed state subsumes the local write), which
 * also covers writes that went up only after a conflict was resolved.
 */
export class PendingChanges {
  private readonly writes = new Map<string, { collection: CollectionName; doc: Doc }>();
  readonly count$ = new BehaviorSubject(0);

  constructor(initial: { collection: CollectionName; doc: Doc }[] = []) {
    for (const entry of initial) this.writes.set(key(entry.collection, entry.doc.id), entry);
    this.count$.next(this.writes.size);
  }

  /** Records a local write; returns how to take it back if the write then fails. */
  add(collection: CollectionName, doc: Doc): () => void {
    const k = key(collection, doc.id);
    const earlier = this.writes.get(k);
    this.writes.set(k, { collection, doc: earlier ? mergeRecords(collection, earlier.doc, doc) : doc });
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
    const local = this.writes.get(k)?.doc;
    if (local === undefined) return;
    if (isSameRecord(mergeRecords(collection, pushed, local), mergeRecords(collection, pushed, pushed))) {
      this.writes.delete(k);
      this.count$.next(this.writes.size);
    }
  }

  entries(): { collection: CollectionName; doc: Doc }[] {
    return [...this.writes.values()];
  }

  get size(): number {
    return this.writes.size;
  }
}
