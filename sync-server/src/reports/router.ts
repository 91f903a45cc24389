import { reportQuery } from '@medisync/shared/domain';
import express from 'express';
import { principalOf, requirePrincipal, type AuthDeps } from '#auth/authenticate';
import type { Db } from '#db/db';
import { parseOrThrow } from '#http/errors';
import { latestNoShowModel } from '#no-show/job';
import { summaryOf } from '#no-show/model';
import { siteReport } from './service.js';

/**
 * `GET /reports?from=&to=`: the report of the signed-in admin's site, for the
 * desk's Reports screen; the same figures as `/api/v1/reports` (docs/architecture.md §9.8).
 * `GET /reports/no-show-model`: the site's no-show model, its quality and weights.
 */
export function reportsRouter(deps: AuthDeps & { db: Db }): express.Router {
  const router = express.Router();
  router.get('/', requirePrincipal(deps, ['admin']), async (req, res) => {
    const query = parseOrThrow(reportQuery, req.query, 'query');
    res.json(await siteReport(deps.db, principalOf(res).siteId, query.from, query.to));
  });
  // The site's no-show model: when it was trained and how good it is on held-out visits; null before its first run.
  router.get('/no-show-model', requirePrincipal(deps, ['admin']), async (_req, res) => {
    const model = await latestNoShowModel(deps.db, principalOf(res).siteId);
    res.json({ model: model === null ? null : summaryOf(model) });
  });
  return router;
}
