import { LIVE_CHANGE_EVENT, REVOKED_EVENT, type LiveChange } from '@medisync/shared/sync';
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { actorOf, isPatientData, type AuditEvent, type AuditLog } from '#audit/audit-log';
import type { Principal } from '#auth/principal';
import type { SyncPolicy } from './access.js';
import type { ChangeFeed } from '#changes/feed';
import type { CommittedChange } from './store.js';

/** Larger changes go out as a hint to pull, so one bulk write never floods every socket. */
const MAX_INLINE_DOCUMENTS = 100;

export const siteRoom = (siteId: string) => `site:${siteId}`;
export const principalRoom = (principal: Pick<Principal, 'kind' | 'id'>) => `${principal.kind}:${principal.id}`;

/**
 * Delivers every committed change to this instance's sockets of its site, as
 * the change feed reports it, whichever instance committed it
 * (docs/architecture.md §9.2): a change goes out exactly when it committed,
 * also when the instance that wrote it stopped right after, and every write
 * reaches devices live, whatever code path made it.
 */
export function deliverCommittedChanges(
  io: Server,
  policy: SyncPolicy,
  feed: ChangeFeed,
  log: Logger,
  audit?: AuditLog,
): () => void {
  // The feed hands over what one read found one change at a time, in the same turn of the
  // event loop; they go out together, so a busy site's devices get one event, not one per commit.
  let pending: CommittedChange[] = [];
  return feed.onCommitted((change) => {
    if (pending.length === 0) {
      setImmediate(() => {
        const changes = coalesceChanges(pending);
        pending = [];
        deliverLocally(io, policy, changes, log, audit);
      });
    }
    pending.push(change);
  });
}

/**
 * Joins each change with the next one of the same site and collection when it
 * starts where that one ended (a device at the first's start may take both at
 * once), keeping each record's latest state. Changes of other sites and
 * collections keep their order; each collection replicates on its own.
 */
export function coalesceChanges(changes: readonly CommittedChange[]): CommittedChange[] {
  const joined: CommittedChange[] = [];
  const open = new Map<string, CommittedChange>();
  for (const change of changes) {
    const key = `${change.siteId}|${change.collection}`;
    const before = open.get(key);
    if (before !== undefined && before.toSeq === change.fromSeq) {
      const ids = new Set(change.records.map((r) => r.doc.id));
      before.records = [...before.records.filter((r) => !ids.has(r.doc.id)), ...change.records];
      before.toSeq = change.toSeq;
      continue;
    }
    const copy = { ...change, records: [...change.records] };
    open.set(key, copy);
    joined.push(copy);
  }
  return joined;
}

/**
 * Sends each change to this instance's sockets of its site, shaped per
 * principal: staff get the documents inline (audited as reads), kiosks and
 * displays only a hint to pull, so what they receive always passes their
 * view's filter and projection. Sockets that get the same event get it as one
 * broadcast, encoded once, however many desks a site has.
 */
function deliverLocally(
  io: Server,
  policy: SyncPolicy,
  changes: CommittedChange[],
  log: Logger,
  audit?: AuditLog,
): void {
  for (const change of changes) {
    const checkpoint = { phase: 'history' as const, seq: change.toSeq };
    io.local
      .in(siteRoom(change.siteId))
      .fetchSockets()
      .then(async (sockets) => {
        const reads: AuditEvent[] = [];
        const inlined: string[] = [];
        const hinted: string[] = [];
        for (const socket of sockets) {
          const principal = socket.data.principal as Principal;
          const view = policy.view(principal, change.collection);
          if (view === null) continue;
          const inline =
            policy.inlineLiveDocuments(principal) &&
            !view.filter &&
            !view.todayOnly &&
            !view.project &&
            change.records.length <= MAX_INLINE_DOCUMENTS;
          (inline ? inlined : hinted).push(socket.id);
          if (inline && isPatientData(change.collection)) {
            reads.push({
              actor: actorOf(principal),
              action: 'read',
              collection: change.collection,
              recordIds: change.records.map((r) => r.doc.id),
              via: 'sync.live',
              siteId: change.siteId,
              ip: socket.handshake.address,
              userAgent: socket.handshake.headers['user-agent']?.slice(0, 300) ?? null,
            });
          }
        }
        const hint: LiveChange = { collection: change.collection, fromSeq: change.fromSeq, checkpoint };
        // Each socket is a room of its own id.
        if (inlined.length > 0) {
          io.local.to(inlined).emit(LIVE_CHANGE_EVENT, { ...hint, documents: change.records.map((r) => r.doc) });
        }
        if (hinted.length > 0) io.local.to(hinted).emit(LIVE_CHANGE_EVENT, hint);
        await audit?.record(reads);
      })
      .catch((error: unknown) => log.warn({ err: String(error) }, 'could not publish live change'));
  }
}

/** A staff session's sockets, so signing out closes that session's live connection and no other. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

export function joinRooms(socket: Socket, principal: Principal & { sid?: string }): void {
  socket.data.principal = principal;
  const rooms = [siteRoom(principal.siteId), principalRoom(principal)];
  if (principal.sid !== undefined) rooms.push(sessionRoom(principal.sid));
  void socket.join(rooms);
}

/**
 * Tells every open socket of a principal (on every server instance) that it has
 * been revoked, then closes them. The event goes out before the disconnect.
 */
export function disconnectPrincipal(
  io: Server,
  principal: Pick<Principal, 'kind' | 'id'> | { sessionId: string },
  reason: string,
): void {
  const room = 'sessionId' in principal ? sessionRoom(principal.sessionId) : principalRoom(principal);
  io.in(room).emit(REVOKED_EVENT, { reason });
  io.in(room).disconnectSockets(true);
}
