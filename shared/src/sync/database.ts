import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBCleanupPlugin } from 'rxdb/plugins/cleanup';
import { wrappedKeyEncryptionCryptoJsStorage } from 'rxdb/plugins/encryption-crypto-js';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import {
  HybridClock,
  replicaProfiles,
  type ReplicaRole,
  isSameRecord,
  mergeRecords,
  replicaView,
  type AnyRecord,
  type CollectionName,
  type RecordTypes,
  type Replicated,
} from '../domain/index.js';
import { auditTime, concatMap, skip } from 'rxjs';
import { withChangesSinceByKeyset } from './changes-since.js';
import { PendingChanges, type PendingEntry } from './pending-changes.js';
import { MIGRATION_STRATEGIES, rxSchemaOf } from './rx-schema.js';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);
addRxPlugin(RxDBCleanupPlugin);

export type DeviceCollections = { [K in CollectionName]: RxCollection<RecordTypes[K]> };
export type DeviceRxDatabase = RxDatabase<DeviceCollections>;

export interface DeviceDatabaseOptions {
  /** The IndexedDB database name; one per device (and per signed-in site). */
  name: string;
  // RxDB's storage types are generic over internals the app never touches.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  storage: RxStorage<any, any>;
  /**
   * Encrypts patient contact fields at rest (`ENCRYPTED_FIELDS`), with a key
   * kept in the OS keychain (Electron safeStorage). The same key must open the
   * database every time.
   */
  encryptionKey?: string;
  /** Also the HLC node id, so it must be unique per device. */
  deviceId: string;
  /**
   * What the device is (docs/architecture.md §5.2): a kiosk or display holds only its
   * role's collections, in their projected shapes (see domain/projections.ts).
   * Default: "desk", every collection whole.
   */
  role?: ReplicaRole;
  /** A subset of the role's collections, when a device needs fewer. */
  collections?: readonly CollectionName[];
}

export interface DeviceDatabase {
  rx: DeviceRxDatabase;
  deviceId: string;
  clock: HybridClock;
  pending: PendingChanges;
  role: ReplicaRole;
  collections: readonly CollectionName[];
  /** Collections the device pulls; the others it holds are write-only (a kiosk's patient intake). */
  pulled: readonly CollectionName[];
  /** Collections the device pushes; none for a display. */
  pushed: readonly CollectionName[];
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
  const role = options.role ?? 'desk';
  const profile = replicaProfiles[role];
  const names = options.collections ?? profile.collections;
  const outside = names.filter((name) => !profile.collections.includes(name));
  if (outside.length > 0) throw new Error(`a ${role} device does not hold ${outside.join(', ')}`);
  const pushed = profile.push.filter((name) => names.includes(name));
  const encrypted = options.encryptionKey !== undefined;
  const rx = (await createRxDatabase({
    name: options.name,
    storage: withChangesSinceByKeyset(
      encrypted ? wrappedKeyEncryptionCryptoJsStorage({ storage: options.storage }) : options.storage,
    ),
    ...(encrypted ? { password: options.encryptionKey } : {}),
    multiInstance: false,
    localDocuments: true,
    // The replica must survive app restarts; never wipe it on a schema mismatch.
    closeDuplicates: true,
    // Lobby devices only ever receive deletions, never make them: what left them (yesterday's
    // appointments, a moved one) is purged from storage within minutes, not RxDB's default month.
    ...(role === 'kiosk' || role === 'display'
      ? { cleanupPolicy: { minimumDeletedTime: 60_000, minimumCollectionAge: 60_000, runEach: 5 * 60_000 } }
      : {}),
  })) as unknown as DeviceRxDatabase;
  await rx.addCollections(
    Object.fromEntries(
      names.map((name) => [
        name,
        {
          schema: rxSchemaOf(name, role, { encrypted }),
          migrationStrategies: MIGRATION_STRATEGIES[name] ?? {},
          localDocuments: false,
          conflictHandler: {
            isEqual: (a: object, b: object) => isSameRecord(a, b),
            // A collection the device never pushes has nothing of its own to keep: the server's state stands.
            // The server has the record, so the device keeps it in its own role's shape.
            resolve: async (input: { realMasterState: unknown; newDocumentState: unknown }) =>
              pushed.includes(name)
                ? replicaView(
                    role,
                    name,
                    mergeRecords(name, input.realMasterState as never, input.newDocumentState as never),
                  )
                : input.realMasterState,
          },
        },
      ]),
    ),
  );

  const stored = await rx.getLocal<{ entries: PendingEntry[] }>(PENDING_DOC);
  const pending = new PendingChanges(stored?.get('entries') ?? []);
  const storePending = () => rx.upsertLocal(PENDING_DOC, { entries: pending.entries() }).catch(() => undefined);
  // Persist the pending set so an app restart still knows what waits to be pushed: after the
  // task that changed it, so the write it records goes to storage first (in parallel, the two
  // slowed a check-in), and one write at a time, each of the set as it is then.
  const persist = pending.count$.pipe(skip(1), auditTime(0), concatMap(storePending)).subscribe();

  const collectionOf = (name: CollectionName) =>
    (rx as unknown as Record<string, RxCollection<Replicated<AnyRecord>>>)[name]!;

  return {
    rx,
    deviceId: options.deviceId,
    clock: new HybridClock(options.deviceId),
    pending,
    role,
    collections: names,
    pulled: profile.pull.filter((name) => names.includes(name)),
    pushed,
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
      await storePending();
      await rx.close();
    },
  };
}
