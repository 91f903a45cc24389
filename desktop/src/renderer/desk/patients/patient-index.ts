import { PatientSearchIndex, type Patient } from '@medisync/shared/domain';
import type { DeviceDatabase } from '@medisync/shared/sync';
import { useEffect, useState } from 'react';
import { BehaviorSubject, type Subscription } from 'rxjs';

/** Patients read per query while the index is first built: bounded reads, never the whole collection at once. */
const LOAD_PAGE = 2_000;

type Stored = Patient & { _deleted?: boolean; _meta?: { lwt: number } };

/**
 * The desk's patient search index, one per open replica, shared by the top-bar
 * search and the Patients screen. It is built once from the local replica in
 * pages, then follows the collection's change stream, so a keystroke scans
 * compact in-memory keys (a few milliseconds for 50,000 patients, against a
 * 50 ms budget) instead of querying thousands of RxDB documents. It holds only
 * what search needs and a result line shows: no addresses, insurance or notes.
 */
export class PatientIndexStore {
  readonly index = new PatientSearchIndex();
  /** Bumped on every change, so screens re-run their query; `loaded` once the first build is done. */
  readonly version$ = new BehaviorSubject<{ version: number; loaded: boolean }>({ version: 0, loaded: false });
  private readonly writtenAt = new Map<string, number>();
  private subscription: Subscription | null = null;
  private closed = false;

  constructor(private readonly db: DeviceDatabase) {}

  start() {
    // Subscribe first, so nothing written while the pages load is missed; the
    // last-write time keeps a page read before an event from undoing it.
    this.subscription = this.db.rx.patients.$.subscribe((event) => {
      this.apply(event.documentData as Stored);
      this.bump();
    });
    void this.load();
  }

  private apply(doc: Stored) {
    const lwt = doc._meta?.lwt ?? 0;
    if ((this.writtenAt.get(doc.id) ?? -1) > lwt) return;
    this.writtenAt.set(doc.id, lwt);
    if (doc._deleted) this.index.remove(doc.id);
    else this.index.upsert(doc);
  }

  private bump(loaded = this.version$.value.loaded) {
    this.version$.next({ version: this.version$.value.version + 1, loaded });
  }

  private async load() {
    let after = '';
    for (;;) {
      const docs = await this.db.rx.patients
        .find({ selector: { id: { $gt: after } }, sort: [{ id: 'asc' }], limit: LOAD_PAGE })
        .exec();
      if (this.closed) return;
      for (const doc of docs) this.apply(doc.toMutableJSON(true) as unknown as Stored);
      if (docs.length < LOAD_PAGE) break;
      after = docs[docs.length - 1]!.id;
      this.bump(false);
    }
    this.bump(true);
  }

  close() {
    this.closed = true;
    this.subscription?.unsubscribe();
  }
}

const stores = new WeakMap<DeviceDatabase, PatientIndexStore>();

/** The search index of this replica, built on first use and kept for as long as the replica is open. */
export function patientIndexOf(db: DeviceDatabase): PatientIndexStore {
  let store = stores.get(db);
  if (store === undefined) {
    store = new PatientIndexStore(db);
    stores.set(db, store);
    store.start();
    const opened = store;
    db.rx.onClose.push(() => opened.close());
  }
  return store;
}

/** The index and its version: components re-render when patients change. */
export function usePatientIndex(db: DeviceDatabase): { store: PatientIndexStore; version: number; loaded: boolean } {
  const store = patientIndexOf(db);
  const [state, setState] = useState(store.version$.value);
  useEffect(() => {
    const subscription = store.version$.subscribe(setState);
    return () => subscription.unsubscribe();
  }, [store]);
  return { store, ...state };
}
