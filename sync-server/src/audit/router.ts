import { text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { principalOf, requirePrincipal } from '#auth/authenticate';
import type { IdentityDeps } from '#auth/identity-deps';
import { parseOrThrow } from '#http/errors';
import { adminReach } from '#users/router';

const auditQuery = z.object({
  siteId: z.uuid().optional(),
  actorId: text.min(1).max(100).optional(),
  actorKind: z.enum(['user', 'device', 'apiClient', 'anonymous']).optional(),
  action: text.min(1).max(50).optional(),
  collection: text.min(1).max(50).optional(),
  recordId: z.uuid().optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'expected the nextCursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * `GET /admin/audit`: who read or wrote what, newest first, filtered by site,
 * actor, action, collection, record or time, a page at a time (`cursor` is the
 * previous page's `nextCursor`). Admins see the log of their own sites only.
 */
export function auditRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();
  router.get('/', requirePrincipal(deps, ['admin']), async (req, res) => {
    const principal = principalOf(res);
    const query = parseOrThrow(auditQuery, req.query, 'query');
    const reach = adminReach(deps, principal);
    if (query.siteId !== undefined) await reach.require([query.siteId]);
    const siteIds = query.siteId === undefined ? await reach.sites() : [query.siteId];
    res.json(await deps.audit.query({ ...query, siteIds }));
  });
  return router;
}
