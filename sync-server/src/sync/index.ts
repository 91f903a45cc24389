import { isCollectionName, type CollectionName } from '@medisync/shared/domain';
import {
  pullQuerySchema,
  pushBodySchema,
  PROTOCOL_VERSION,
  RESTORED_THROUGH_HEADER,
  type PushResponse,
  type RejectedRow,
} from '@medisync/shared/sync';
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { actorOf, AuditLog, isPatientData, type AuditEvent } from '#audit/audit-log';
import { authenticate, checkActive, requestOrigin, verifyToken, type IsActive } from '#auth/authenticate';
import { createIsActive, livenessSql } from '#auth/is-active';
import { bearerToken, type TokenService } from '#auth/tokens';
import type { ChangeFeed } from '#changes/feed';
import type { Db, Tx } from '#db/db';
import { HttpError } from '#http/errors';
import { sendJson } from '#http/send-json';
import { restoredThrough } from '#ops/restored-database';
import { rolePolicy, type SyncPolicy } from './access.js';
import { deliverCommittedChanges, joinRooms } from './live.js';
import { pullChanges, pullResponseJson } from './pull.js';
import { serverRules } from './rules.js';
import { pushRecords, type AfterWrite, type Doc } from './store.js';

export interface SyncDeps {
  db: Db;
  log: Logger;
  io: Server;
  tokens: TokenService;
  /** Default: the role policy of docs/architecture.md §5 (access.ts). */
  policy?: SyncPolicy;
  /**
   * Checks that a verified principal is still allowed (its device not revoked,
   * its session live). Default: against the database (auth/is-active.ts).
   */
  isActive?: IsActive;
  /** Where reads and writes of patient data are recorded. Default: the audit_events table. */
  audit?: AuditLog;
  /** What every write does in its transaction besides storing (billing/accounts.ts `serverWrites`). */
  afterWrite: AfterWrite;
}

/** The dependencies with their secure defaults filled in, shared by the router and the live stream. */
function resolved(deps: SyncDeps) {
  return {
    ...deps,
    policy: deps.policy ?? rolePolicy,
    isActive: deps.isActive ?? createIsActive(deps.db),
    audit: deps.audit ?? new AuditLog(deps.db),
  };
}

/**
 * RxDB replication over HTTP: `GET /:collection/pull` and `POST /:collection/push`.
 * Every request is authenticated against the database, scoped to the principal's
 * site and shaped by its role (access.ts), and every read or write of patient
 * data is audited, one row per request. Every pushed change is then published
 * to the site's sockets (see live.ts).
 */
export function createSyncRouter(syncDeps: SyncDeps): express.Router {
  const deps = resolved(syncDeps);
  const { policy } = deps;
  const router = express.Router();
  // Taken over (or not) before the server listens, so read once it can be; a database not
  // migrated yet answers later (GET /readyz says when).
  let restored: Promise<string | null> | undefined;
  const restoredAt = () =>
    (restored ??= restoredThrough(deps.db).catch((error: unknown) => {
      restored = undefined;
      throw error;
    }));

  router.use(async (req, res, next) => {
    const version = req.header('x-medisync-protocol');
    if (version !== undefined && Number(version) !== PROTOCOL_VERSION) {
      throw new HttpError(
        426,
        'update-required',
        `this server speaks sync protocol ${PROTOCOL_VERSION}; update the app`,
      );
    }
    const through = await restoredAt().catch(() => null);
    if (through !== null) res.setHeader(RESTORED_THROUGH_HEADER, through);
    next();
  });

  router.get('/:collection/pull', async (req, res) => {
    const collection = collectionParam(req);
    // The database half of authentication is checked by the statement that reads the page
    // (or beside it): a revoked device gets `revoked`, and nothing is read for it.
    const principal = await verifyToken(deps, bearerToken(req.header('authorization')));
    const isLive = () => checkActive(deps, principal);
    const view = policy.view(principal, collection);
    if (view === null) {
      await isLive();
      throw new HttpError(403, 'forbidden', `role "${principal.role}" may not read ${collection}`);
    }
    const query = pullQuerySchema.safeParse(req.query);
    if (!query.success) {
      await isLive();
      throw HttpError.fromZod(query.error, 'pull query');
    }
    const page = await pullChanges(deps.db, collection, view, query.data, {
      // A check given in place of the database's has no SQL form: pulls then run it on its own.
      liveness: (param) => (syncDeps.isActive ? null : livenessSql(principal, param)),
      checkActive: isLive,
      // The read is recorded before its page leaves, so no page leaves unrecorded.
      read: isPatientData(collection)
        ? { actor: actorOf(principal), action: 'read', collection, via: 'sync.pull', ...requestOrigin(req) }
        : null,
      audit: deps.audit,
    });
    // No ETag: a hash of every page would serve no one, as pulls are never revalidated.
    await sendJson(req, res, pullResponseJson(page));
  });

  router.post('/:collection/push', async (req, res) => {
    const collection = collectionParam(req);
    const principal = await authenticate(deps, bearerToken(req.header('authorization')));
    const writer = policy.writer(principal, collection);
    if (writer === null) throw new HttpError(403, 'forbidden', `role "${principal.role}" may not write ${collection}`);
    const body = pushBodySchema.safeParse(req.body);
    if (!body.success) throw HttpError.fromZod(body.error, 'push body');
    const writeEvent = (rejected: RejectedRow[]): AuditEvent => {
      const refused = new Set(rejected.map((r) => r.id));
      const written = body.data
        .map((row) => row.newDocumentState.id)
        .filter((id): id is string => typeof id === 'string' && !refused.has(id));
      return {
        actor: actorOf(principal),
        action: 'write',
        collection,
        recordIds: [...new Set(written)].filter(isUuid),
        via: 'sync.push',
        ...requestOrigin(req),
        details: { rejected: rejected.length },
      };
    };
    const result = await pushRecords(deps.db, collection, body.data, {
      rules: serverRules,
      ...writer,
      // Device pushes raise webhooks too (offline check-ins once they sync), and a walk-in's account opens with it.
      afterWrite: deps.afterWrite,
      // The write is recorded in its own transaction, so it commits with the change.
      ...(isPatientData(collection)
        ? { beforeCommit: (tx: Tx, rejected: RejectedRow[]) => deps.audit.record(writeEvent(rejected), tx) }
        : {}),
    });
    // A device gets back the server's state in its own shape; a write-only collection sends nothing back.
    const view = policy.view(principal, collection);
    const conflicts =
      view === null ? [] : view.project ? await view.project(result.conflicts, readRows(deps.db)) : result.conflicts;
    const response: PushResponse<Doc> = { conflicts, rejected: result.rejected };
    if (isPatientData(collection) && !result.committedWith) await deps.audit.record(writeEvent(result.rejected));
    if (result.rejected.length > 0) {
      deps.log.warn(
        { collection, rejected: result.rejected.map((r) => ({ id: r.id, code: r.error.code })) },
        'rejected pushed rows',
      );
    }
    res.json(response);
  });

  return router;
}

/**
 * Authenticates every socket at the handshake (token and database), joins it to
 * its site's room, and sends it the committed changes of its site.
 */
export function attachLiveChanges(syncDeps: SyncDeps, feed: ChangeFeed): void {
  const deps = resolved(syncDeps);
  deliverCommittedChanges(deps.io, deps.policy, feed, deps.log, deps.audit);
  deps.io.use((socket, next) => {
    const token = typeof socket.handshake.auth.token === 'string' ? socket.handshake.auth.token : undefined;
    authenticate(deps, token).then(
      (principal) => {
        joinRooms(socket, principal);
        next();
      },
      (error: unknown) => {
        const code = error instanceof HttpError ? error.code : 'unauthorized';
        // The client reads `data.reason`: "revoked" there stops it for good (shared/sync/replication.ts).
        next(Object.assign(new Error('unauthorized'), { data: { reason: code, message: String(error) } }));
      },
    );
  });
}

function readRows(db: Db) {
  return <R extends object>(sql: string, params: unknown[]) => db.query<R>(sql, params);
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

function collectionParam(req: Request): CollectionName {
  const name = String(req.params.collection);
  if (!isCollectionName(name)) throw new HttpError(404, 'unknown-collection', `no replicated collection "${name}"`);
  return name;
}
