import { LIVE_CHANGE_EVENT, type LiveChange } from '@medisync/shared/sync';
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { Principal } from '#auth/principal';
import type { SyncPolicy } from './access.js';
import type { CommittedChange } from './store.js';

/** Larger changes go out as a hint to pull, so one bulk write never floods every socket. */
const MAX_INLINE_DOCUMENTS = 100;

export const siteRoom = (siteId: string) => `site:${siteId}`;
export const principalRoom = (principal: Pick<Principal, 'kind' | 'id'>) => `${principal.kind}:${principal.id}`;

/** Sends each committed change to the sockets of its site, shaped per principal. */
export function publishChanges(io: Server, policy: SyncPolicy, changes: CommittedChange[], log: Logger): void {
  for (const change of changes) {
    const checkpoint = { phase: 'history' as const, seq: change.toSeq };
    // Every socket gets at least a hint; policy and view decide what else.
    io.in(siteRoom(change.siteId))
      .fetchSockets()
      .then((sockets) => {
        for (const socket of sockets) {
          const principal = socket.data.principal as Principal;
          const view = policy.view(principal, change.collection);
          if (view === null) continue;
          const inline =
            policy.inlineLiveDocuments(principal) && !view.filter && change.records.length <= MAX_INLINE_DOCUMENTS;
          const project = view.project ?? ((d) => d);
          const event: LiveChange = inline
            ? { collection: change.collection, fromSeq: change.fromSeq, checkpoint, documents: change.records.map((r) => project(r.doc)) }
            : { collection: change.collection, fromSeq: change.fromSeq, checkpoint };
          socket.emit(LIVE_CHANGE_EVENT, event);
        }
      })
      .catch((error: unknown) => log.warn({ err: String(error) }, 'could not publish live change'));
  }
}

export function joinRooms(socket: Socket, principal: Principal): void {
  socket.data.principal = principal;
  void socket.join([siteRoom(principal.siteId), principalRoom(principal)]);
}
