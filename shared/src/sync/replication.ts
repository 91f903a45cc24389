import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, filter, firstValueFrom, Subject, type Observable } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { decodeHlc, type AnyRecord, type CollectionName, type Replicated } from '../domain/index.js';
import type { DeviceDatabase } from './database.js';
import {
  LIVE_CHANGE_EVENT,
  PROTOCOL_VERSION,
  RESTORED_THROUGH_HEADER,
  type ApiError,
  type Checkpoint,
  type LiveChange,
  type PullResponse,
  type PushResponse,
} from './protocol.js';
import { firstSyncProgress, initialSyncState, type CollectionProgress, type SyncState } from './sync-state.js';

type Doc = Replicated<AnyRecord> & { _deleted: boolean };

/** Where a device notes the restore whose losses it has sent again. */
const RESTORE_DOC = 'restore-resent';
const RESTORE_MARGIN_MS = 86_400_000;

/** When a record was last edited, anywhere: the latest of its field clocks and status events. */
function lastEditedAt(doc: Doc): number {
  const record = doc as unknown as { clocks?: Record<string, string>; statusLog?: { hlc: string }[] };
  const stamps = [...Object.values(record.clocks ?? {}), ...(record.statusLog ?? []).map((e) => e.hlc)];
  return stamps.reduce((latest, hlc) => Math.max(latest, decodeHlc(hlc).wall), 0);
}

/**
 * How long a request may wait for the server's first byte. A busy server can
 * keep a push waiting for its site's lock for seconds, and a request dropped
 * too early is only sent again; silent connections are mostly caught sooner,
 * when the live connection comes back (below).
 */
const ANSWER_WITHIN_MS = 30_000;
/**
 * Once the live connection is back after it was lost, connections the browser
 * pooled before may have died in the silence without anyone being told, and a
 * request sent on one hears nothing: for a while, requests wait this long only,
 * and RxDB sends a dropped one again on another connection.
 */
const RECOVERING_ANSWER_WITHIN_MS = 5_000;
const RECOVERING_FOR_MS = 30_000;
/** How long a live-connection attempt may take: one made while the network was silent never hears back. */
const CONNECT_WITHIN_MS = 10_000;
/** How long the rest of an answer may take: a first sync's pages on a slow link. */
const BODY_WITHIN_MS = 60_000;
type StreamItem = { documents: Doc[]; checkpoint: Checkpoint } | 'RESYNC';

export interface SyncOptions {
  serverUrl: string;
  /** The current access token; called before every request, so it may refresh. */
  getToken: () => string | Promise<string>;
  /**
   * Page size of pulls and pushes. Large pages suit real IndexedDB; Node tests
   * over fake-indexeddb pick what fits their time (docs/architecture.md §7.3).
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
  /**
   * The page after a full one, requested while RxDB writes that one to storage,
   * so a first sync waits on the network or on storage, not on both in turn.
   * Used only if RxDB then asks for exactly that checkpoint, and dropped as soon
   * as the collection's stream says something changed: RxDB then leaves out
   * stream items older than its next request, taking that request to cover them,
   * which a page read earlier would not.
   */
  const readAhead = new Map<CollectionName, { key: string; page: Promise<PullResponse<Doc>> }>();
  /**
   * Collections told to pull whose pull has not started yet. RxDB holds live
   * events back while a collection pushes and then queues them together; the
   * round of its queue that takes documents ends at a RESYNC behind them and
   * drops it, so with no later change the device would never pull what the
   * RESYNC was for. A pull still wanted once the collection is idle is asked for again.
   */
  const pullWanted = new Set<CollectionName>();
  const tell = (name: CollectionName, item: StreamItem) => {
    readAhead.delete(name);
    if (item === 'RESYNC') {
      pullWanted.add(name);
      if (inFirstSync(name)) return;
    }
    streams.get(name)?.next(item);
  };
  const replications = new Map<CollectionName, RxReplicationState<Doc, Checkpoint>>();
  /**
   * Whether a collection's first sync is pulling right now. RxDB's upstream takes
   * a RESYNC as its cue to read back through every local change since its
   * checkpoint, and during a first sync that means chasing the history being
   * stored, page after page, on the same thread and database. The first sync
   * reads up to the server's head anyway, so a RESYNC then only waits in
   * `pullWanted` and is sent once the collection has caught up (or has stopped
   * pulling without catching up, by the idle check below).
   */
  const inFirstSync = (name: CollectionName) =>
    progress[name]?.caughtUp !== true &&
    (replications.get(name)?.internalReplicationState?.events.active.down.getValue() ?? false);
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

  /** Requests under way, so a reconnect can drop those sent on connections that went silent. */
  const inFlight = new Set<AbortController>();
  let everConnected = false;
  let recoveringUntil = 0;
  const request = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    // A connection can go silent without closing (a dead NAT entry): neither a browser's
    // fetch nor RxDB ever gives up on it, and that collection would sync nothing more.
    // The server answers within moments, so a request that hears nothing is dropped and
    // RxDB retries it on a fresh connection; a body may take longer on a slow link.
    const controller = new AbortController();
    inFlight.add(controller);
    const answerWithin = Date.now() < recoveringUntil ? RECOVERING_ANSWER_WITHIN_MS : ANSWER_WITHIN_MS;
    let limit = setTimeout(
      () => controller.abort(new Error(`no answer within ${answerWithin / 1000} s`)),
      answerWithin,
    );
    let response: Response;
    let body: T | ApiError | undefined;
    try {
      response = await fetch(`${options.serverUrl}${path}`, {
        ...init,
        signal: controller.signal,
        headers: {
          ...init.headers,
          authorization: `Bearer ${await options.getToken()}`,
          'x-medisync-protocol': String(PROTOCOL_VERSION),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
      clearTimeout(limit);
      limit = setTimeout(
        () => controller.abort(new Error(`the answer took over ${BODY_WITHIN_MS / 1000} s`)),
        BODY_WITHIN_MS,
      );
      body = (await response.json().catch((error: unknown) => {
        if (controller.signal.aborted) throw error;
        return undefined;
      })) as T | ApiError | undefined;
    } catch (error) {
      markOffline(controller.signal.aborted ? controller.signal.reason : error);
      throw error;
    } finally {
      clearTimeout(limit);
      inFlight.delete(controller);
    }
    if (!response.ok) {
      const failure = new HttpFailure(response.status, body as ApiError | undefined);
      if (response.status === 401 && failure.body?.error.code === 'revoked') revoke(failure.message);
      else update({ lastError: failure.message });
      throw failure;
    }
    markOnline();
    const restoredThrough = response.headers.get(RESTORED_THROUGH_HEADER);
    if (restoredThrough !== null) resendAfterRestore(restoredThrough);
    return body as T;
  };

  /**
   * The server's database was restored from a backup that ends at `through`:
   * what this device wrote or received after that may be gone from the server,
   * so records last edited since (less a day, for writers' clocks that run
   * wrong) are pushed again, once per restore. The server's merge keeps what it
   * already has as it is; only what it lost is written.
   */
  let resending: Promise<void> | null = null;
  // Every answer of a restored server names its restore: once handled, a string compare.
  let handled: string | null = null;
  const resendAfterRestore = (through: string) => {
    if (through === handled) return;
    resending ??= (async () => {
      const done = await db.rx.getLocal<{ through: string }>(RESTORE_DOC);
      if (done?.get('through') === through) {
        handled = through;
        return;
      }
      const since = Date.parse(through) - RESTORE_MARGIN_MS;
      for (const name of db.pushed) {
        let after = '';
        for (;;) {
          const docs = await db.rx[name]
            .find({ selector: { id: { $gt: after } }, sort: [{ id: 'asc' }], limit: batchSize })
            .exec();
          const rows = docs
            .map((doc) => doc.toJSON() as unknown as Doc)
            .filter((doc) => lastEditedAt(doc) >= since)
            .map((doc) => ({ newDocumentState: { ...doc, _deleted: false }, assumedMasterState: null }));
          if (rows.length > 0) {
            const sent = await request<PushResponse<Doc>>(`/sync/${name}/push`, {
              method: 'POST',
              body: JSON.stringify(rows),
            }).then(
              () => true,
              (error: unknown) => {
                // What this device may only read (a desk's site record) it never wrote: nothing of it to send.
                if (error instanceof HttpFailure && error.status === 403) return false;
                throw error;
              },
            );
            if (!sent) break;
          }
          if (docs.length < batchSize) break;
          after = docs.at(-1)!.primary;
        }
      }
      await db.rx.upsertLocal(RESTORE_DOC, { through });
      handled = through;
    })()
      .catch((error: unknown) => update({ lastError: `could not send again what a restore lost: ${String(error)}` }))
      .finally(() => (resending = null));
  };

  const socket: Socket = io(options.serverUrl, {
    auth: (cb) => void Promise.resolve(options.getToken()).then((token) => cb({ token })),
    transports: ['websocket'],
    reconnectionDelay: 250,
    reconnectionDelayMax: 3000,
    timeout: CONNECT_WITHIN_MS,
  });
  socket.on('connect', () => {
    markOnline();
    if (everConnected) {
      recoveringUntil = Date.now() + RECOVERING_FOR_MS;
      // Requests sent before the live connection came back may sit on connections that
      // died with the network: RxDB retries them on fresh ones. On the first connect
      // there was no connection to lose: a new device's first pulls are under way.
      for (const controller of inFlight) controller.abort(new Error('the connection was replaced'));
    }
    everConnected = true;
    // Whatever happened while disconnected, pull it now.
    for (const name of streams.keys()) tell(name, 'RESYNC');
  });
  socket.on('disconnect', (reason) => markOffline(new Error(`live connection lost: ${reason}`)));
  socket.on('connect_error', (error: Error & { data?: { reason?: string } }) => {
    if (error.data?.reason?.includes('revoked')) revoke('this device has been revoked');
    else markOffline(error);
  });
  socket.on('revoked', () => revoke('this device has been revoked'));
  socket.on(LIVE_CHANGE_EVENT, (change: LiveChange<Doc>) => {
    if (!streams.has(change.collection)) return;
    const checkpoint = known.get(change.collection);
    // Only a device exactly at the change's starting point may take the
    // documents and the checkpoint; any other would skip rows it never got.
    if (change.documents && checkpoint?.phase === 'history' && checkpoint.seq === change.fromSeq) {
      known.set(change.collection, change.checkpoint);
      tell(change.collection, { documents: change.documents, checkpoint: change.checkpoint });
    } else {
      tell(change.collection, 'RESYNC');
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
    const fetchPage = (checkpoint: Checkpoint | undefined, limit: number) => {
      // The working set on pages of its own: stored before any history (docs/architecture.md §3.4).
      const query = new URLSearchParams({ limit: String(limit), workingSet: 'apart' });
      if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
      return request<PullResponse<Doc>>(`/sync/${name}/pull?${query}`);
    };
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
              pullWanted.delete(name);
              const key = JSON.stringify([checkpoint ?? null, limit]);
              const ahead = readAhead.get(name);
              const prefetched = ahead?.key === key ? ahead.page : undefined;
              readAhead.delete(name);
              const page = await (prefetched ?? fetchPage(checkpoint, limit));
              const checkpointAfter = page.checkpoint ?? checkpoint;
              if (page.documents.length >= limit && page.checkpoint && !stopped) {
                const next = fetchPage(page.checkpoint, limit);
                // A failed read ahead is read again when RxDB asks for it.
                next.catch(() => undefined);
                readAhead.set(name, { key: JSON.stringify([page.checkpoint, limit]), page: next });
              }
              known.set(name, checkpointAfter);
              const before = progress[name];
              const short = page.documents.length < limit;
              const end = short && !(page.remaining > 0);
              if (short && !end) {
                // The working set ended on a page of its own and RxDB stops at it: the history
                // follows once RxDB has stored that page, as it queues a RESYNC behind its write.
                // Sent straight to RxDB: `tell` would hold it until the collection is idle.
                stream.next('RESYNC');
              }
              const fetchedAll = checkpointAfter?.phase === 'history' && end;
              const current: CollectionProgress = {
                phase: checkpointAfter?.phase ?? 'priority',
                received: (before?.received ?? 0) + page.documents.length,
                remaining: page.remaining,
                caughtUp: fetchedAll && before?.caughtUp === true,
              };
              progress[name] = current;
              if (fetchedAll && !current.caughtUp) {
                // RxDB writes a page after this handler returns, and may still be writing earlier
                // ones: caught up means the records are in the local database, which a merge, an
                // undo or a desk's "first sync done" relies on, so it waits for those writes. The
                // pull side only: a push the server keeps refusing must not hold the first sync open.
                // (RxDB sets its internal state before it first calls this handler.)
                const downstream = replication.internalReplicationState!.events.active.down;
                void firstValueFrom(downstream.pipe(filter((active) => !active)), { defaultValue: null }).then(
                  (idle) => {
                    // null: the replication ended first (stopped, or the device revoked).
                    if (idle === null || progress[name] !== current || stopped) return;
                    progress[name] = { ...current, caughtUp: true };
                    update({ firstSync: firstSyncProgress(progress, db.pulled.length) });
                    if (pullWanted.has(name)) tell(name, 'RESYNC');
                  },
                );
              }
              update({
                firstSync: firstSyncProgress(progress, db.pulled.length),
                ...(end ? { lastSyncedAt: new Date().toISOString() } : {}),
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
    if (pulls) {
      replication.active$.pipe(filter((active) => !active)).subscribe(() => {
        if (pullWanted.has(name) && !stopped) tell(name, 'RESYNC');
      });
    }
    replication.error$.subscribe((error) => {
      // RxDB retries by itself; the state says why nothing moves meanwhile.
      update({ lastError: error.message });
    });
    replications.set(name, replication);
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
    await Promise.all([...replications.values()].map((r) => r.cancel()));
  }

  return {
    state$: state.asObservable(),
    get state() {
      return state.value;
    },
    async awaitInSync() {
      await Promise.all([...replications.values()].map((r) => r.awaitInSync()));
    },
    stop,
  };
}
