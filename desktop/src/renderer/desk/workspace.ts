import type { Actor } from '@medisync/shared/domain';
import type { DeviceDatabase, SyncSession } from '@medisync/shared/sync';
import { startSync, TicketDispenser } from '@medisync/shared/sync';
import { databaseName, localDeviceId, openBrowserDeviceDatabase } from '../shell/device-database.js';
import { serverRequest } from '../shell/server-api.js';
import type { StaffSession } from './staff-session.js';

/** A signed-in desk: its session, its replica of the site and the sync that keeps it current. */
export interface Workspace {
  session: StaffSession;
  db: DeviceDatabase;
  sync: SyncSession;
  /** Ticket codes for check-ins at this desk, leased while online (docs/architecture.md §4.7). */
  tickets: TicketDispenser;
  /** The sync server, for the few things only it can do (card payments: docs/architecture.md §9.7). */
  serverUrl: string;
  close(): Promise<void>;
}

/** A request to the server as the signed-in user: `serverRequest` with the session's token. */
export async function staffRequest(workspace: Workspace, path: string, init: RequestInit = {}): Promise<Response> {
  return serverRequest(`${workspace.serverUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${await workspace.session.getToken()}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

/** Who a write made on this desk is by: the signed-in user, as an admin or a desk. */
export function deskActor(workspace: Workspace): Actor {
  const { user } = workspace.session;
  return { id: user.id, role: user.role === 'admin' ? 'admin' : 'desk', source: 'desk' };
}

/** Pages of 500 suit real IndexedDB: fewer round trips without long write transactions (docs/architecture.md §4.8). */
const SYNC_BATCH_SIZE = 500;

/**
 * Opens the replica of the session's site. Each user and site gets a database
 * of its own, so a shared reception PC never mixes two sites' patients, and a
 * second sign-in of the same user finds its unsynced changes still there.
 */
export async function openWorkspace(
  session: StaffSession,
  serverUrl: string,
  encryptionKey: string | null = null,
): Promise<Workspace> {
  const db = await openBrowserDeviceDatabase({
    name: databaseName('desk', session.site.id, session.user.id),
    deviceId: localDeviceId(),
    encryptionKey,
  });
  const sync = startSync(db, { serverUrl, getToken: session.getToken, batchSize: SYNC_BATCH_SIZE });
  const tickets = await TicketDispenser.open(db, { serverUrl, getToken: session.getToken });
  const refills = tickets.keepToppedUp(session.site.id, sync);
  return {
    session,
    db,
    sync,
    tickets,
    serverUrl,
    async close() {
      refills.unsubscribe();
      await sync.stop();
      await db.close();
    },
  };
}
