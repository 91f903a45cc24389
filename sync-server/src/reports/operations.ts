import type { Db } from '#db/db';
import { operation, type Operation } from '#api/operation';
import { reportQuery, reportSchema } from '@medisync/shared/domain';
import { siteReport } from './service.js';

/** `/api/v1/reports`: the figures of the desk's Reports screen, for the client's site. */
export function reportOperations(deps: { db: Db }): Operation[] {
  return [
    operation({
      method: 'get',
      path: '/reports',
      operationId: 'getReport',
      summary:
        'ReportUtilization, waits, no-show and late-cancel rates, check-ins and daily figures for a range of site-local days',
      tag: 'Reports',
      // Aggregates of appointments and queue entries: whoever may read the visits may read their figures.
      scope: 'appointments:read',
      query: reportQuery,
      status: 200,
      response: reportSchema,
      handler: (ctx) => siteReport(deps.db, ctx.client.siteId, ctx.query.from, ctx.query.to),
    }),
  ];
}
