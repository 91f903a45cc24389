import { IDBCursor, IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  getChangedDocumentsSinceQuery,
  prepareQuery,
  type RxStorage,
  type RxStorageDefaultCheckpoint,
  type RxStorageInstance,
} from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId, type Patient } from '../domain/index.js';
import { testPatient } from '../domain/testing/patients.js';
import { openDeviceDatabase, type DeviceDatabase } from './database.js';

type Instance = RxStorageInstance<Patient, unknown, unknown, RxStorageDefaultCheckpoint>;
type Page = { documents: { id: string; _deleted: boolean }[]; checkpoint: RxStorageDefaultCheckpoint };

/** Pages through a collection's changes as RxDB's upstream does, counting the cursor steps each page costs. */
async function readAllChanges(read: (checkpoint: RxStorageDefaultCheckpoint | undefined) => Promise<Page>) {
  const steps = vi.spyOn(IDBCursor.prototype, 'continue');
  const pages: { ids: string[]; steps: number }[] = [];
  let checkpoint: RxStorageDefaultCheckpoint | undefined;
  for (;;) {
    steps.mockClear();
    const page = await read(checkpoint);
    if (page.documents.length === 0) break;
    pages.push({
      ids: page.documents.map((d) => `${d.id}${d._deleted ? ' deleted' : ''}`),
      steps: steps.mock.calls.length,
    });
    checkpoint = page.checkpoint;
  }
  steps.mockRestore();
  return pages;
}

describe('a device collection read "changed since a checkpoint"', () => {
  let db: DeviceDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** A device's patients after one large write (as a first sync stores history) and two writes of their own. */
  async function replicaAfterOneLargeWrite(storage: RxStorage<unknown, unknown>) {
    db = await openDeviceDatabase({ name: 'changes-since', storage, deviceId: 'desk-1', collections: ['patients'] });
    const siteId = newId();
    // One bulk write gives every document the same lwt.
    const history = Array.from({ length: 600 }, (_, i) => testPatient(siteId, { familyName: `Family ${i}` }));
    await db.rx.patients.bulkInsert(history);
    await db.save('patients', testPatient(siteId));
    await (await db.rx.patients.findOne(history[7]!.id).exec())!.remove();
    const instance = db.rx.patients.storageInstance as unknown as Instance;
    return { instance, removed: history[7]!.id };
  }

  const LIMIT = 50;
  const ourPages = (instance: Instance) =>
    readAllChanges((checkpoint) => instance.getChangedDocumentsSince!(LIMIT, checkpoint));
  /** RxDB's own reading of the same question, for the order and the content. */
  const rxdbPages = (instance: Instance) =>
    readAllChanges(async (checkpoint) => {
      const query = getChangedDocumentsSinceQuery(instance, LIMIT, checkpoint);
      const { documents } = await instance.query(prepareQuery(instance.schema, query));
      const last = documents.at(-1);
      return { documents, checkpoint: last ? { id: last.id, lwt: last._meta.lwt } : checkpoint! };
    });

  function expectEveryChangeOnceInOrder(ours: string[], rxdbs: string[], removed: string) {
    expect(ours).toEqual(rxdbs);
    expect(ours).toHaveLength(601);
    expect(new Set(ours.map((id) => id.split(' ')[0])).size).toBe(601);
    // The removal is the last change, and it is there: devices replicate deletions too.
    expect(ours.at(-1)).toBe(`${removed} deleted`);
  }

  it('in IndexedDB: every change once, in order, and a page after one large write costs only that page', async () => {
    const { instance, removed } = await replicaAfterOneLargeWrite(
      getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }),
    );
    const ours = await ourPages(instance);
    const rxdbs = await rxdbPages(instance);
    expectEveryChangeOnceInOrder(
      ours.flatMap((p) => p.ids),
      rxdbs.flatMap((p) => p.ids),
      removed,
    );
    // Each page walks only its own documents; RxDB's query walked the large write again for each.
    expect(Math.max(...ours.map((p) => p.steps))).toBeLessThanOrEqual(LIMIT);
    expect(Math.max(...rxdbs.map((p) => p.steps))).toBeGreaterThan(500);
  });

  it('in memory: every change once, in order', async () => {
    const { instance, removed } = await replicaAfterOneLargeWrite(getRxStorageMemory());
    expectEveryChangeOnceInOrder(
      (await ourPages(instance)).flatMap((p) => p.ids),
      (await rxdbPages(instance)).flatMap((p) => p.ids),
      removed,
    );
  });
});
