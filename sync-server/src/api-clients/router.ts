import { text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal } from '#auth/authenticate';
import type { IdentityDeps } from '#auth/identity-deps';
import { HttpError, parseOrThrow } from '#http/errors';
import { adminReach } from '#users/router';
import { scopeSchema } from './scopes.js';
import { createApiClient, getApiClient, listApiClients, revokeApiClient } from './service.js';

const createBody = z.object({
  siteId: z.uuid().optional(),
  name: text.trim().min(1).max(100),
  scopes: z.array(scopeSchema).min(1),
});
const listQuery = z.object({ siteId: z.uuid().optional() });

/**
 * `/admin/api-clients`: admins create API clients with scopes at one of their
 * sites (the key is in the answer, once), list them and revoke them.
 */
export function apiClientsRouter(deps: Pick<IdentityDeps, 'db' | 'tokens' | 'isActive' | 'audit'>): express.Router {
  const router = express.Router();
  router.use(requirePrincipal(deps, ['admin']));

  router.post('/', async (req, res) => {
    const principal = principalOf(res);
    const body = parseOrThrow(createBody, req.body, 'API client');
    const siteId = body.siteId ?? principal.siteId;
    await adminReach(deps, principal).require([siteId]);
    const { client, key } = await createApiClient(deps.db, {
      siteId,
      name: body.name,
      scopes: body.scopes,
      createdBy: principal.kind === 'user' ? principal.id : null,
    });
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'api-client-created',
      via: 'POST /admin/api-clients',
      siteId,
      ...requestOrigin(req),
      details: { clientId: client.id, name: client.name, scopes: client.scopes },
    });
    res.status(201).json({ client, key });
  });

  router.get('/', async (req, res) => {
    const principal = principalOf(res);
    const query = parseOrThrow(listQuery, req.query, 'query');
    const reach = adminReach(deps, principal);
    const siteIds =
      query.siteId === undefined ? await reach.sites() : (await reach.require([query.siteId]), [query.siteId]);
    res.json({ clients: await listApiClients(deps.db, siteIds) });
  });

  router.post('/:id/revoke', async (req, res) => {
    const principal = principalOf(res);
    const existing = await getApiClient(deps.db, String(req.params.id));
    if (existing === null || !(await adminReach(deps, principal).sites()).includes(existing.siteId)) {
      throw new HttpError(404, 'not-found', 'no such API client at your sites');
    }
    const client = await revokeApiClient(deps.db, existing.id, principal.kind === 'user' ? principal.id : null);
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'api-client-revoked',
      via: 'POST /admin/api-clients/:id/revoke',
      siteId: existing.siteId,
      ...requestOrigin(req),
      details: { clientId: existing.id },
    });
    res.json({ client });
  });

  return router;
}
