/**
 * One simulated device in its own process: its own fake IndexedDB, its own RxDB
 * (RxDB allows 13 open collections per process), replicating with a real server.
 * Driven over IPC by `SimulatedDevice`; killing the process kills the device.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { filter, firstValueFrom } from 'rxjs';
import {
  canonicalJson,
  changeRecord,
  createRecord,
  replicaSchema,
  transitionRecord,
  type Actor,
  type CollectionName,
} from '@medisync/shared/domain';
import {
  freeSlotsOnReplica,
  openDeviceDatabase,
  startSync,
  TicketDispenser,
  type DeviceDatabase,
  type SyncSession,
} from '@medisync/shared/sync';

export interface DeviceInit {
  deviceId: string;
  serverUrl: string;
  token: string;
  batchSize?: number;
  role?: Actor['role'];
  tickets?: {
    /** Keep ticket numbers topped up for this site from the start, as the desk and kiosk apps do. */
    keepToppedUpAt?: string;
    blockSize?: number;
    refillThreshold?: number;
  };
}

export type DeviceCommand =
  | { cmd: 'create'; collection: CollectionName; fields: Record<string, unknown> }
  | { cmd: 'change'; collection: CollectionName; id: string; patch: Record<string, unknown> }
  | { cmd: 'transition'; collection: CollectionName; id: string; to: string }
  | { cmd: 'save'; collection: CollectionName; record: Record<string, unknown> }
  | { cmd: 'get'; collection: CollectionName; id: string }
  | { cmd: 'refillTickets'; siteId: string }
  | { cmd: 'issueTicket'; siteId: string; queue: string }
  | { cmd: 'freeSlots'; siteId: string; providerId: string; date: string; visitType: string }
  | { cmd: 'dump' }
  | { cmd: 'state' }
  | { cmd: 'heldWhenFirstSyncComplete' }
  | { cmd: 'awaitInSync' }
  | { cmd: 'close' };

let db: DeviceDatabase;
let sync: SyncSession;
let actor: Actor;
let tickets: TicketDispenser;
let topUp: ReturnType<TicketDispenser['keepToppedUp']> | undefined;

async function init(options: DeviceInit) {
  const indexedDB = new IDBFactory();
  actor = { id: options.deviceId, role: options.role ?? 'desk', source: options.role === 'kiosk' ? 'kiosk' : 'desk' };
  db = await openDeviceDatabase({
    name: `device-${options.deviceId}`,
    storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
    deviceId: options.deviceId,
    role: options.role === 'kiosk' || options.role === 'display' || options.role === 'admin' ? options.role : 'desk',
  });
  sync = startSync(db, {
    serverUrl: options.serverUrl,
    getToken: () => options.token,
    batchSize: options.batchSize ?? 500,
    retryTime: 300,
  });
  tickets = await TicketDispenser.open(db, {
    serverUrl: options.serverUrl,
    getToken: () => options.token,
    ...(options.tickets?.blockSize ? { blockSize: options.tickets.blockSize } : {}),
    ...(options.tickets?.refillThreshold !== undefined ? { refillThreshold: options.tickets.refillThreshold } : {}),
  });
  if (options.tickets?.keepToppedUpAt) topUp = tickets.keepToppedUp(options.tickets.keepToppedUpAt, sync);
}

async function siteOf(siteId: string) {
  const site = await db.rx.sites.findOne(siteId).exec();
  if (!site) throw new Error(`site ${siteId} is not on device ${actor.id} yet`);
  return site.toJSON() as never;
}

async function read(collection: CollectionName, id: string) {
  const doc = await db.rx[collection].findOne(id).exec();
  if (!doc) throw new Error(`${collection} ${id} is not on device ${actor.id}`);
  return doc.toMutableJSON() as never;
}

async function run(message: DeviceCommand): Promise<unknown> {
  switch (message.cmd) {
    case 'create': {
      const record = createRecord(message.collection, message.fields as never, db.clock, actor);
      await db.save(message.collection, record);
      return record;
    }
    case 'change': {
      const next = changeRecord(
        message.collection,
        await read(message.collection, message.id),
        message.patch as never,
        db.clock,
      );
      await db.save(message.collection, next);
      return next;
    }
    case 'transition': {
      const current = await read(message.collection, message.id);
      const schema = replicaSchema(db.role, message.collection);
      const next = transitionRecord(message.collection, current, message.to, db.clock, actor, schema);
      await db.save(message.collection, next);
      return next;
    }
    case 'save':
      await db.save(message.collection, message.record as never);
      return message.record;
    case 'get':
      return (await db.rx[message.collection].findOne(message.id).exec())?.toJSON() ?? null;
    case 'refillTickets':
      return tickets.refill(await siteOf(message.siteId));
    case 'issueTicket':
      return tickets.issue(await siteOf(message.siteId), message.queue);
    case 'freeSlots': {
      const site = (await siteOf(message.siteId)) as { timezone: string };
      return freeSlotsOnReplica(db, { ...message, timeZone: site.timezone });
    }
    case 'dump': {
      const out: Record<string, string[]> = {};
      for (const name of db.collections) {
        const docs = await db.rx[name].find().exec();
        out[name] = docs.map((d) => canonicalJson({ ...d.toJSON(), _deleted: false })).sort();
      }
      return out;
    }
    case 'state':
      return sync.state;
    case 'heldWhenFirstSyncComplete': {
      await firstValueFrom(sync.state$.pipe(filter((state) => state.firstSync.complete)));
      const held: Record<string, number> = {};
      for (const name of db.pulled) held[name] = await db.rx[name].count().exec();
      return held;
    }
    case 'awaitInSync':
      return sync.awaitInSync();
    case 'close':
      topUp?.unsubscribe();
      await sync.stop();
      await db.close();
      return null;
  }
}

process.on('message', (raw: { id: number; init?: DeviceInit; command?: DeviceCommand }) => {
  const work = raw.init ? init(raw.init) : run(raw.command!);
  work.then(
    (result) => process.send!({ id: raw.id, ok: true, result }),
    (error: unknown) =>
      process.send!({ id: raw.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
