import type { Request, RequestHandler, Response } from 'express';
import { actorOf, type AuditLog } from '#audit/audit-log';
import { requestOrigin } from '#auth/authenticate';
import { bearerToken } from '#auth/tokens';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import { grants, type Scope } from './scopes.js';
import { apiClientByKey, type ApiClientPrincipal } from './service.js';

/**
 * `Authorization: Bearer <key>` of a live API client. Every call is audited,
 * one row per request, once the answer is known (the status goes in the details);
 * routes that read or write patient data add their own rows naming the records.
 */
export function requireApiClient(deps: { db: Db; audit: AuditLog }): RequestHandler {
  return async (req, res, next) => {
    const key = bearerToken(req.header('authorization'));
    if (key === undefined)
      throw new HttpError(401, 'token-missing', 'authentication required: send Authorization: Bearer <API key>');
    const client = await apiClientByKey(deps.db, key);
    if (client === null) throw new HttpError(401, 'token-invalid', 'this API key is not valid or has been revoked');
    res.locals.apiClient = client;
    const via = `${req.method} ${req.baseUrl}${req.path}`.slice(0, 300);
    res.on('finish', () => {
      void deps.audit
        .record({
          actor: actorOf(client),
          action: 'api-call',
          via,
          ...requestOrigin(req),
          details: { status: res.statusCode },
        })
        .catch(() => undefined);
    });
    next();
  };
}

export function apiClientOf(res: Response): ApiClientPrincipal {
  const client = res.locals.apiClient as ApiClientPrincipal | undefined;
  if (client === undefined) throw new Error('route is missing requireApiClient');
  return client;
}

/** Refuses with 403 `insufficient-scope` unless the client holds `scope`. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req: Request, res, next) => {
    const client = apiClientOf(res);
    if (!grants(client.scopes, scope)) {
      throw new HttpError(403, 'insufficient-scope', `this API client lacks the "${scope}" scope`, { scope });
    }
    next();
  };
}
