import type { IncomingMessage } from 'node:http';
import type { CollectionName } from '@medisync/shared/domain';
import { GraphQLError } from 'graphql';
import { actorOf, isPatientData, type AuditEvent, type AuditLog } from '#audit/audit-log';
import { grants, type Scope } from '#api-clients/scopes';
import { apiClientByKey, type ApiClientPrincipal } from '#api-clients/service';
import { IntegrationService, type ApiDeps } from '#api/service';
import { bearerToken } from '#auth/tokens';
import type { ChangeFeed } from '#changes/feed';

export interface GraphQLDeps extends ApiDeps {
  /** Subscriptions read the committed-change feed, so every instance delivers every change (§9.2). */
  changes: ChangeFeed;
}

/**
 * One request's (or one WebSocket connection's) context: the API client the
 * key names, the integration services acting as it, and the record ids read
 * and written, audited as REST audits them (docs/architecture.md §6.4).
 */
export interface GraphQLContext {
  deps: GraphQLDeps;
  /** Null without a key: only the schema (introspection) may be asked for then. */
  client: ApiClientPrincipal | null;
  origin: { ip: string | null; userAgent: string | null };
  /** What the audit rows name as the route: `POST /graphql` or `graphql-ws`. */
  via: string;
  touched: Map<string, Set<string>>;
}

/** Reads a request's API key; a key that is not valid refuses the whole request, as REST does. */
export async function createContext(
  deps: GraphQLDeps,
  authorization: string | undefined,
  request: IncomingMessage | undefined,
  via: string,
): Promise<GraphQLContext> {
  const key = bearerToken(authorization);
  const client = key === undefined ? null : await apiClientByKey(deps.db, key);
  if (key !== undefined && client === null) {
    throw new GraphQLError('this API key is not valid or has been revoked', {
      extensions: { code: 'token-invalid', http: { status: 401 } },
    });
  }
  return {
    deps,
    client,
    origin: {
      ip: request?.socket.remoteAddress ?? null,
      userAgent: request?.headers['user-agent']?.slice(0, 300) ?? null,
    },
    via,
    touched: new Map(),
  };
}

/**
 * The API client, if it holds `scope`; otherwise the same refusal as REST's
 * (`token-missing`, `insufficient-scope`), as a GraphQL error on that field.
 */
export function requireScope(ctx: GraphQLContext, scope: Scope, orAnyOf: readonly Scope[] = []): ApiClientPrincipal {
  if (ctx.client === null) {
    throw new GraphQLError('authentication required: send Authorization: Bearer <API key>', {
      extensions: { code: 'token-missing', http: { status: 401 } },
    });
  }
  if (![scope, ...orAnyOf].some((held) => grants(ctx.client!.scopes, held))) {
    throw new GraphQLError(`this API client lacks the "${[scope, ...orAnyOf].join('" or "')}" scope`, {
      extensions: { code: 'insufficient-scope', details: { scope } },
    });
  }
  return ctx.client;
}

/** Whether the request's API client is still live (not revoked since it connected). */
export async function stillActive(ctx: GraphQLContext): Promise<boolean> {
  if (ctx.client === null) return false;
  const rows = await ctx.deps.db.query('SELECT 1 FROM api_clients WHERE id = $1 AND revoked_at IS NULL', [
    ctx.client.id,
  ]);
  return rows.length > 0;
}

/** The integration services (REST's own) acting as the client, once it holds `scope`. */
export function servicesFor(ctx: GraphQLContext, scope: Scope): IntegrationService {
  return new IntegrationService(ctx.deps, requireScope(ctx, scope));
}

/** Notes records of patient data read or written; `flushAudit` records them, one row per collection. */
export function touch(ctx: GraphQLContext, action: 'read' | 'write', collection: CollectionName, ids: string[]) {
  if (!isPatientData(collection) || ids.length === 0) return;
  const key = `${action}:${collection}`;
  const set = ctx.touched.get(key) ?? new Set<string>();
  for (const id of ids) set.add(id);
  ctx.touched.set(key, set);
}

/**
 * Writes the request's audit rows before its answer leaves: when they cannot
 * be written the request fails rather than hand out patient data unrecorded.
 */
export async function flushAudit(ctx: GraphQLContext, audit: AuditLog, details: Record<string, unknown> = {}) {
  if (ctx.client === null) return;
  const events: AuditEvent[] = [...ctx.touched].map(([key, ids]) => {
    const [action, collection] = key.split(':') as [string, string];
    return {
      actor: actorOf(ctx.client!),
      action,
      collection,
      recordIds: [...ids],
      via: ctx.via,
      ...ctx.origin,
    };
  });
  ctx.touched.clear();
  events.push({ actor: actorOf(ctx.client), action: 'api-call', via: ctx.via, ...ctx.origin, details });
  await audit.record(events);
}
