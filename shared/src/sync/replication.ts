import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import type { AnyRecord, CollectionName, Replicated } from '../domain/index.js';
import type { DeviceDatabase } from './database.js';
import {
  LIVE_CHANGE_EVENT,
  PROTOCOL_VERSION,
  type ApiError,
  type Checkpoint,
  type LiveChange,
  type PullResponse,
  type PushResponse,
} from './protocol.js';
import { firstSyncProgress, initialSyncState, type CollectionProgress, type SyncState } from './sync-state.js';

type Doc = Replicated<AnyRecord> & { _deleted: boolean };
type StreamItem = { documents: Doc[]; checkpoint: Checkpoint } | 'RESYNC';

export interface SyncOptions {
  serverUrl: string;
  /** The current access token; called before every request, so it may refresh. */
  getToken: () => string | Promise<string>;
  /**
   * Page size of pulls and pushes. Large pages suit real IndexedDB; Node tests
   * over fake-indexeddb pick what fits their time (DESIGN section 6).
   */
  batchSize?: number;
  /** Delay before retrying after a failed request, in ms. */
  retryTime?: number;
}

export interface SyncSession {
  state$: Observable<SyncState>;
  readonly state: SyncState;
  /** Resolves when every local change is pushed and every remote change pulled. */
  awaitInSync(): Promise<void>;
  stop(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | undefined,
  ) {
    super(body?.error.message ?? `HTTP ${status}`);
  }
}

/**
 * Replicates every collection of a device database with the sync server:
 * pull and push over HTTP, live changes over socket.io into RxDB's pull
 * stream, RESYNC on every (re)connect, and a sync state that screens show.
 * It keeps running in hidden windows: kiosks and displays are rarely focused.
 */
export function startSync(db: DeviceDatabase, options: SyncOptions): SyncSession {
  const batchSize = options.batchSize ?? 200;
  const state = new BehaviorSubject<SyncState>({ ...initialSyncState, pending: db.pending.size });
  const update = (patch: Partial<SyncState>) => state.next({ ...state.value, ...patch });
  const progress: Partial<Record<CollectionName, CollectionProgress>> = {};
  const known = new Map<CollectionName, Checkpoint | undefined>();
  const streams = new Map<CollectionName, Subject<StreamItem>>();
  const replications: RxReplicationState<Doc, Checkpoint>[] = [];
  let stopped = false;

  const markOnline = () => {
    if (state.value.status !== 'online' && state.value.status !== 'revoked') {
      update({ status: 'online', offlineSince: null, lastError: null });
    }
  };
  const markOffline = (error: unknown) => {
    if (state.value.status === 'revoked') return;
    update({
      status: 'offline',
      offlineSince: state.value.offlineSince ?? new Date().toISOString(),
      lastError: error instanceof Error ? error.message : String(error),
    });
  };

  const request = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${options.serverUrl}${path}`, {
        ...init,
        headers: {
          ...init.headers,
          authorization: `Bearer ${await options.getToken()}`,
          'x-medisync-protocol': String(PROTOCOL_VERSION),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
    } catch (error) {
      markOffline(error);
      throw error;
    }
    const body = (await response.json().catch(() => undefined)) as T | ApiError | undefined;
    if (!response.ok) {
      const failure = new HttpFailure(response.status, body as ApiError | undefined);
      if (response.status === 401 && failure.body?.error.code === 'revoked') revoke(failure.message);
      else update({ lastError: failure.message });
      throw failure;
    }
    markOnline();
    return body as T;
  };

  const socket: Socket = io(options.serverUrl, {
    auth: (cb) => void Promise.resolve(options.getToken()).then((token) => cb({ token })),
    transports: ['websocket'],
    reconnectionDelay: 250,
    reconnectionDelayMax: 3000,
  });
  socket.on('connect', () => {
    markOnline();
    // Whatever happened while disconnected, pull it now.
    for (const stream of streams.values()) stream.next('RESYNC');
  });
  socket.on('disconnect', (reason) => markOffline(new Error(`live connection lost: ${reason}`)));
  socket.on('connect_error', (error: Error & { data?: { reason?: string } }) => {
    if (error.data?.reason?.includes('revoked')) revoke('this device has been revoked');
    else markOffline(error);
  });
  socket.on('revoked', () => revoke('this device has been revoked'));
  socket.on(LIVE_CHANGE_EVENT, (change: LiveChange<Doc>) => {
    const stream = streams.get(change.collection);
    if (!stream) return;
    const checkpoint = known.get(change.collection);
    // Only a device exactly at the change's starting point may take the
    // documents and the checkpoint; any other would skip rows it never got.
    if (change.documents && checkpoint?.phase === 'history' && checkpoint.seq === change.fromSeq) {
      known.set(change.collection, change.checkpoint);
      stream.next({ documents: change.documents, checkpoint: change.checkpoint });
    } else {
      stream.next('RESYNC');
    }
  });

  function revoke(message: string) {
    update({ status: 'revoked', lastError: message });
    void stop();
  }

  for (const name of db.collections) {
    const pulls = db.pulled.includes(name);
    const pushes = db.pushed.includes(name);
    if (!pulls && !pushes) continue;
    const writeOnly = pushes && !pulls;
    const stream = new Subject<StreamItem>();
    if (pulls) streams.set(name, stream);
    const replication = replicateRxCollection<Doc, Checkpoint>({
      replicationIdentifier: `medisync-${name}-${options.serverUrl}`,
      collection: db.rx[name] as never,
      live: true,
      retryTime: options.retryTime ?? 2000,
      waitForLeadership: false,
      toggleOnDocumentVisible: false,
      pull: pulls
        ? {
            batchSize,
            stream$: stream.asObservable(),
            handler: async (checkpoint, limit) => {
              const query = new URLSearchParams({ limit: String(limit) });
              if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
              const page = await request<PullResponse<Doc>>(`/sync/${name}/pull?${query}`);
              const checkpointAfter = page.checkpoint ?? checkpoint;
              known.set(name, checkpointAfter);
              const before = progress[name];
              progress[name] = {
                phase: checkpointAfter?.phase ?? 'priority',
                received: (before?.received ?? 0) + page.documents.length,
                remaining: page.remaining,
                caughtUp: checkpointAfter?.phase === 'history' && page.documents.length < limit,
              };
              update({
                firstSync: firstSyncProgress(progress, db.pulled.length),
                ...(page.documents.length < limit ? { lastSyncedAt: new Date().toISOString() } : {}),
              });
              const dayChanged = checkpoint?.day !== undefined && checkpointAfter?.day !== checkpoint.day;
              const documents = dayChanged
                ? [...page.documents, ...(await leftFromDay(name, page.documents))]
                : page.documents;
              return { documents, checkpoint: checkpointAfter };
            },
          }
        : undefined,
      push: pushes
        ? {
            batchSize,
            handler: async (allRows) => {
              // A write-only collection's local removals only purge what the server already has.
              const rows = writeOnly ? allRows.filter((row) => !row.newDocumentState._deleted) : allRows;
              if (rows.length === 0) return [];
              const result = await request<PushResponse<Doc>>(`/sync/${name}/push`, {
                method: 'POST',
                body: JSON.stringify(rows),
              });
              const refused = new Set(result.rejected.map((r) => r.id));
              for (const row of rows) {
                if (!refused.has(row.newDocumentState.id)) db.pending.acknowledge(name, row.newDocumentState);
              }
              const others = state.value.rejected.filter(
                (r) => r.collection !== name || !rows.some((row) => row.newDocumentState.id === r.id),
              );
              update({
                rejected: [...others, ...result.rejected.map((r) => ({ ...r, collection: name }))],
                lastSyncedAt: new Date().toISOString(),
              });
              if (writeOnly)
                purgeLater(
                  name,
                  rows.map((row) => row.newDocumentState.id).filter((id) => !refused.has(id)),
                );
              return result.conflicts;
            },
          }
        : undefined,
    });
    replication.error$.subscribe((error) => {
      // RxDB retries by itself; the state says why nothing moves meanwhile.
      update({ lastError: error.message });
    });
    replications.push(replication);
  }
  const pendingSubscription = db.pending.count$.subscribe((pending) => update({ pending }));

  /**
   * A day-scoped view (a kiosk's appointments, a display's queue) moved to a new
   * day at the site: everything the device still holds of the old day leaves it,
   * as deletions from the server's side, so they are not pushed back; the
   * tombstones are then purged from storage.
   */
  async function leftFromDay(name: CollectionName, fresh: Doc[]): Promise<Doc[]> {
    const keep = new Set(fresh.map((d) => d.id));
    const held = await db.rx[name].find().exec();
    const gone = held
      .filter((doc) => !keep.has(doc.primary))
      .map((doc) => ({ ...(doc.toMutableJSON() as Doc), _deleted: true }));
    if (gone.length > 0) {
      setTimeout(() => void db.rx[name].cleanup(0).catch(() => undefined), 1000);
    }
    return gone;
  }

  /**
   * A write-only record (a kiosk's patient intake) leaves the device once the
   * server has it: removed, and the removal purged from storage, so patient
   * details do not pile up on a lobby machine. A record written again meanwhile
   * is still pending and stays until that write is pushed too.
   */
  function purgeLater(name: CollectionName, ids: string[]) {
    if (ids.length === 0) return;
    setTimeout(() => {
      void (async () => {
        const waiting = new Set(
          db.pending
            .entries()
            .filter((e) => e.collection === name)
            .map((e) => e.id),
        );
        const done = ids.filter((id) => !waiting.has(id));
        const docs = await db.rx[name].findByIds(done).exec();
        for (const doc of docs.values()) await doc.remove();
        await db.rx[name].cleanup(0);
      })().catch((error: unknown) => update({ lastError: `could not clear sent ${name}: ${String(error)}` }));
    }, 0);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    pendingSubscription.unsubscribe();
    socket.close();
    for (const stream of streams.values()) stream.complete();
    await Promise.all(replications.map((r) => r.cancel()));
  }

  return {
    state$: state.asObservable(),
    get state() {
      return state.value;
    },
    async awaitInSync() {
      await Promise.all(replications.map((r) => r.awaitInSync()));
    },
    stop,
  };
}
