import type http from 'node:http';
import type { Duplex } from 'node:stream';
import express from 'express';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { WebSocketServer } from 'ws';
import { apiClientByKey } from '#api-clients/service';
import { AuditLog } from '#audit/audit-log';
import { bearerToken } from '#auth/tokens';
import type { ChangeFeed } from '#changes/feed';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import type { AfterWrite } from '#sync/store';
import { createContext, flushAudit, type GraphQLContext, type GraphQLDeps } from './context.js';
import { graphiqlRouter } from './graphiql.js';
import { schema, schemaSdl } from './schema.js';

export interface GraphQLInput {
  db: Db;
  log: Logger;
  io: Server;
  changes: ChangeFeed;
  audit?: AuditLog;
  afterWrite: AfterWrite;
}

export interface GraphQLServer {
  /** `/graphql` over HTTP, `/graphql/schema.graphql`, and GraphiQL at `/graphql/graphiql`. */
  router: express.Router;
  /** Serves graphql-ws subscriptions at `/graphql` on the HTTP server; returns how to close them. */
  attachWebSocket(httpServer: http.Server): () => Promise<void>;
}

const PATH = '/graphql';

/**
 * The GraphQL API for integrators (GraphQL Yoga over a Pothos schema): the
 * same API clients, scopes, site, services and audit as REST, and live
 * subscriptions over WebSocket (graphql-ws) or server-sent events, fed by the
 * committed-change feed so that every instance delivers every change.
 */
export function createGraphQL(input: GraphQLInput): GraphQLServer {
  const deps: GraphQLDeps = { ...input, audit: input.audit ?? new AuditLog(input.db) };
  const { log } = deps;

  const yoga = createYoga<{ req?: http.IncomingMessage; connectionParams?: Record<string, unknown> }, GraphQLContext>({
    schema,
    graphqlEndpoint: PATH,
    // Our own GraphiQL page (graphiql.ts): Yoga's inlines its script and loads it from a CDN.
    graphiql: false,
    landingPage: false,
    // Yoga's debug and info lines carry whole operations and variables (names, birth dates): never logged.
    logging: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args) => log.warn({ args: args.map(String) }, 'graphql'),
      error: (...args) => log.error({ args: args.map(String) }, 'graphql'),
    },
    context: ({ request, req, connectionParams }) =>
      createContext(
        deps,
        request?.headers.get('authorization') ?? authorizationOf(connectionParams, req),
        req,
        request ? `${request.method} ${PATH}` : 'graphql-ws',
      ),
    maskedErrors: { maskError: (error) => expectedError(error, log) },
    plugins: [auditPlugin(deps.audit)],
  });

  const router = express.Router();
  router.get(`${PATH}/schema.graphql`, (_req, res) => {
    res.type('text/plain').set('cache-control', 'no-cache').send(schemaSdl);
  });
  router.use(graphiqlRouter());
  router.use(PATH, yoga as unknown as express.RequestHandler);

  return {
    router,
    attachWebSocket(httpServer) {
      const wss = new WebSocketServer({ noServer: true });
      const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        // Other upgrades (socket.io's) are theirs to answer.
        if (new URL(req.url ?? '/', 'http://localhost').pathname !== PATH) return;
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      };
      httpServer.on('upgrade', onUpgrade);
      const server = useServer<Record<string, unknown>>(
        {
          // Yoga's own execute and subscribe, so its plugins (audit, error masking) run for sockets too.
          execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
          subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
          // A key that is not valid closes the connection (4403 Forbidden), as REST answers 401.
          onConnect: async (ctx) => {
            const key = bearerToken(authorizationOf(ctx.connectionParams, ctx.extra.request));
            return key === undefined || (await apiClientByKey(deps.db, key)) !== null;
          },
          onSubscribe: async (ctx, _id, payload) => {
            const enveloped = yoga.getEnveloped({
              req: ctx.extra.request,
              connectionParams: ctx.connectionParams,
              params: payload,
            });
            const document = enveloped.parse(payload.query);
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length > 0) return errors;
            const args: ExecutionArgs = {
              schema: enveloped.schema,
              document,
              operationName: payload.operationName ?? null,
              variableValues: payload.variables ?? null,
              contextValue: await enveloped.contextFactory(),
              rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
            };
            return args;
          },
        },
        wss,
      );
      return async () => {
        httpServer.off('upgrade', onUpgrade);
        await server.dispose();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      };
    },
  };
}

/** A WebSocket's key: the `authorization` connection parameter (browsers cannot set headers), else the header. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined, req: http.IncomingMessage | undefined) {
  return typeof params?.authorization === 'string' ? params.authorization : req?.headers.authorization;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * What a client sees of an error: the service's own refusals keep their code
 * and details (as REST's `{error: {code, message, details}}` does), GraphQL's
 * and ours keep theirs; anything else is a bug, logged and answered as
 * `internal-error` without its message.
 */
function expectedError(error: unknown, log: Logger): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const located = error instanceof GraphQLError ? error : undefined;
  if (original instanceof HttpError) {
    return new GraphQLError(original.message, {
      ...(located ? { nodes: located.nodes, path: located.path } : {}),
      extensions: { code: original.code, details: original.details ?? {} },
    });
  }
  if (located && (original === undefined || original instanceof GraphQLError)) return located;
  log.error({ err: original instanceof Error ? original.stack : String(original) }, 'graphql operation failed');
  return new GraphQLError('internal error', {
    ...(located ? { nodes: located.nodes, path: located.path } : {}),
    extensions: { code: 'internal-error' },
  });
}

/**
 * One `api-call` row per operation and one row per collection of patient data
 * read or written, written before the answer leaves (docs/architecture.md §6.4).
 */
function auditPlugin(audit: AuditLog): Plugin<GraphQLContext> {
  const operationOf = (args: ExecutionArgs) => ({ operation: args.operationName ?? null });
  return {
    onExecute: () => ({
      onExecuteDone: async ({ args }) => {
        await flushAudit(args.contextValue as GraphQLContext, audit, operationOf(args));
      },
    }),
    onSubscribe: () => ({
      // Each record a subscription delivers is audited as it goes (subscriptions.ts); this is the call itself.
      onSubscribeResult: ({ args }) => {
        void flushAudit(args.contextValue as GraphQLContext, audit, operationOf(args)).catch(() => undefined);
      },
    }),
  };
}
