import { isCollectionName, type CollectionName } from '@medisync/shared/domain';
import { pullQuerySchema, pushBodySchema, PROTOCOL_VERSION, type PushResponse } from '@medisync/shared/sync';
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import type { Principal } from '#auth/principal';
import { bearerToken, InvalidTokenError, type TokenService } from '#auth/tokens';
import { staffOnlyPolicy, type SyncPolicy } from './access.js';
import { joinRooms, publishChanges } from './live.js';
import { pullChanges } from './pull.js';
import { serverRules } from './rules.js';
import { pushRecords, type Doc } from './store.js';

export interface SyncDeps {
  db: Db;
  log: Logger;
  io: Server;
  tokens: TokenService;
  policy?: SyncPolicy;
  /** Checks that a verified principal is still allowed (e.g. its device not revoked). */
  isActive?: (principal: Principal & { jti: string }) => Promise<boolean>;
}

/**
 * RxDB replication over HTTP: `GET /:collection/pull` and `POST /:collection/push`.
 * Every pushed change is then published to the site's sockets (see live.ts).
 */
export function createSyncRouter(deps: SyncDeps): express.Router {
  const policy = deps.policy ?? staffOnlyPolicy;
  const router = express.Router();

  router.use((req, _res, next) => {
    const version = req.header('x-medisync-protocol');
    if (version !== undefined && Number(version) !== PROTOCOL_VERSION) {
      throw new HttpError(426, 'update-required', `this server speaks sync protocol ${PROTOCOL_VERSION}; update the app`);
    }
    next();
  });

  router.get('/:collection/pull', async (req, res) => {
    const collection = collectionParam(req);
    const principal = await authenticate(deps, bearerToken(req.header('authorization')));
    const view = policy.view(principal, collection);
    if (view === null) throw new HttpError(403, 'forbidden', `role "${principal.role}" may not read ${collection}`);
    const query = pullQuerySchema.safeParse(req.query);
    if (!query.success) throw HttpError.fromZod(query.error);
    res.json(await pullChanges(deps.db, collection, view, query.data.checkpoint, query.data.limit));
  });

  router.post('/:collection/push', async (req, res) => {
    const collection = collectionParam(req);
    const principal = await authenticate(deps, bearerToken(req.header('authorization')));
    const body = pushBodySchema.safeParse(req.body);
    if (!body.success) throw HttpError.fromZod(body.error);
    const result = await pushRecords(deps.db, collection, body.data, {
      rules: serverRules,
      mayWrite: policy.mayWrite(principal),
    });
    publishChanges(deps.io, policy, result.changes, deps.log);
    const view = policy.view(principal, collection);
    const project = view?.project ?? ((d: Doc) => d);
    const response: PushResponse<Doc> = { conflicts: result.conflicts.map(project), rejected: result.rejected };
    if (result.rejected.length > 0) {
      deps.log.warn({ collection, rejected: result.rejected.map((r) => ({ id: r.id, code: r.error.code })) }, 'rejected pushed rows');
    }
    res.json(response);
  });

  return router;
}

/** Authenticates every socket at the handshake and joins it to its site's room. */
export function attachLiveChanges(deps: SyncDeps): void {
  deps.io.use((socket, next) => {
    const token = typeof socket.handshake.auth.token === 'string' ? socket.handshake.auth.token : undefined;
    authenticate(deps, token).then(
      (principal) => {
        joinRooms(socket, principal);
        next();
      },
      (error: unknown) => next(Object.assign(new Error('unauthorized'), { data: { reason: String(error) } })),
    );
  });
}

async function authenticate(deps: SyncDeps, token: string | undefined): Promise<Principal> {
  try {
    const principal = await deps.tokens.verify(token);
    if (deps.isActive && !(await deps.isActive(principal))) {
      throw new HttpError(401, 'revoked', 'this device or session has been revoked');
    }
    return principal;
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw new HttpError(401, `token-${error.reason}`, `authentication required: token ${error.reason}`);
    }
    throw error;
  }
}

function collectionParam(req: Request): CollectionName {
  const name = String(req.params.collection);
  if (!isCollectionName(name)) throw new HttpError(404, 'unknown-collection', `no replicated collection "${name}"`);
  return name;
}
