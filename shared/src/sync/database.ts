import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import {
  collectionNames,
  HybridClock,
  isSameRecord,
  mergeRecords,
  type AnyRecord,
  type CollectionName,
  type RecordTypes,
  type Replicated,
} from '../domain/index.js';
import { PendingChanges } from './pending-changes.js';
import { rxSchemaOf } from './rx-schema.js';

addRxPlugin(RxDBLocalDocumentsPlugin);

export type DeviceCollections = { [K in CollectionName]: RxCollection<RecordTypes[K]> };
export type DeviceRxDatabase = RxDatabase<DeviceCollections>;

export interface DeviceDatabaseOptions {
  /** The IndexedDB database name; one per device (and per signed-in site). */
  name: string;
  // RxDB's storage types are generic over internals the app never touches.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  storage: RxStorage<any, any>;
  /** Also the HLC node id, so it must be unique per device. */
  deviceId: string;
  /** Collections this device replicates (kiosks and displays hold fewer). */
  collections?: readonly CollectionName[];
}

export interface DeviceDatabase {
  rx: DeviceRxDatabase;
  deviceId: string;
  clock: HybridClock;
  pending: PendingChanges;
  collections: readonly CollectionName[];
  /** Writes a record locally (merged with what the replica holds) and marks it pending. */
  save<K extends CollectionName>(collection: K, record: RecordTypes[K]): Promise<void>;
  close(): Promise<void>;
}

const PENDING_DOC = 'sync-pending';
const LOCAL_FIELDS = ['_meta', '_rev', '_attachments'] as const;

/**
 * Opens a device's local replica. Every collection's conflict handler is the
 * domain merge, so RxDB never silently lets the server's state win over an
 * offline edit (its default).
 */
export async function openDeviceDatabase(options: DeviceDatabaseOptions): Promise<DeviceDatabase> {
  const names = options.collections ?? collectionNames;
  const rx = (await createRxDatabase({
    name: options.name,
    storage: options.storage,
    multiInstance: false,
    localDocuments: true,
    // The replica must survive app restarts; never wipe it on a schema mismatch.
    closeDuplicates: true,
  })) as unknown as DeviceRxDatabase;
  await rx.addCollections(
    Object.fromEntries(
      names.map((name) => [
        name,
        {
          schema: rxSchemaOf(name),
          localDocuments: false,
          conflictHandler: {
            isEqual: (a: object, b: object) => isSameRecord(a, b),
            resolve: async (input: { realMasterState: unknown; newDocumentState: unknown }) =>
              mergeRecords(name, input.realMasterState as never, input.newDocumentState as never),
          },
        },
      ]),
    ),
  );

  const stored = await rx.getLocal<{ entries: { collection: CollectionName; doc: Replicated<AnyRecord> }[] }>(PENDING_DOC);
  const pending = new PendingChanges(stored?.get('entries') ?? []);
  // Persist the pending set so an app restart still knows what waits to be pushed.
  const persist = pending.count$.subscribe(() => {
    void rx.upsertLocal(PENDING_DOC, { entries: pending.entries() }).catch(() => undefined);
  });

  const collectionOf = (name: CollectionName) =>
    (rx as unknown as Record<string, RxCollection<Replicated<AnyRecord>>>)[name]!;

  return {
    rx,
    deviceId: options.deviceId,
    clock: new HybridClock(options.deviceId),
    pending,
    collections: names,
    async save(name, record) {
      const collection = collectionOf(name);
      const doc = record as unknown as Replicated<AnyRecord>;
      // Pending first: the replication may push the write before this function returns.
      const undo = pending.add(name, doc);
      try {
        const existing = await collection.findOne(doc.id).exec();
        if (existing) {
          await existing.incrementalModify((current) => {
            const plain = { ...current } as Record<string, unknown>;
            for (const field of LOCAL_FIELDS) delete plain[field];
            return Object.assign(current, mergeRecords(name, plain as never, doc as never));
          });
        } else {
          await collection.insert(doc);
        }
      } catch (error) {
        undo();
        throw error;
      }
    },
    async close() {
      persist.unsubscribe();
      await rx.upsertLocal(PENDING_DOC, { entries: pending.entries() }).catch(() => undefined);
      await rx.close();
    },
  };
}
