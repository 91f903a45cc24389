import {
  noShowModelSummarySchema,
  reportSchema,
  type NoShowModelSummary,
  type SiteReport,
} from '@medisync/shared/domain';
import { z } from 'zod';
import { staffRequest, type Workspace } from '../workspace.js';

/**
 * Reports are computed by the server from every record of the site
 * (docs/architecture.md §9.8): an admin reads them online; the desk keeps no copy.
 */

/** GETs a staff route of the server with the session's token and parses the answer with `schema`. */
async function staffGet<T>(workspace: Workspace, path: string, schema: z.ZodType<T>): Promise<T> {
  return schema.parse(await (await staffRequest(workspace, path)).json());
}

export function fetchReport(workspace: Workspace, from: string, to: string): Promise<SiteReport> {
  const query = new URLSearchParams({ from, to });
  return staffGet(workspace, `/reports?${query}`, reportSchema);
}

const modelAnswer = z.object({ model: noShowModelSummarySchema.nullable() });

/** The site's no-show model and its quality on held-out visits; null before its first training. */
export async function fetchNoShowModel(workspace: Workspace): Promise<NoShowModelSummary | null> {
  return (await staffGet(workspace, '/reports/no-show-model', modelAnswer)).model;
}
