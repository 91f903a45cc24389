import {
  noShowModelSummarySchema,
  reportSchema,
  type NoShowModelSummary,
  type SiteReport,
} from '@medisync/shared/domain';
import { z } from 'zod';
import { ServerApiError, ServerUnreachableError } from '../../shell/server-api.js';
import type { Workspace } from '../workspace.js';

/**
 * Reports are computed by the server from every record of the site
 * (docs/architecture.md §9.8): an admin reads them online; the desk keeps no copy.
 */

const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) });

/** GETs a staff route of the server with the session's token and parses the answer with `schema`. */
export async function staffGet<T>(workspace: Workspace, path: string, schema: z.ZodType<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${workspace.serverUrl}${path}`, {
      headers: { authorization: `Bearer ${await workspace.session.getToken()}` },
    });
  } catch (error) {
    throw new ServerUnreachableError(error);
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = errorAnswer.safeParse(json);
    const error = parsed.success ? parsed.data.error : null;
    throw new ServerApiError(
      response.status,
      error?.code ?? `http-${response.status}`,
      error?.message ?? `the server answered ${response.status}`,
      error?.details ?? null,
    );
  }
  return schema.parse(json);
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
