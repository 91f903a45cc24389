import express from 'express';
import type { z } from 'zod';
import { AuditLog } from '#audit/audit-log';
import { apiClientOf, requireApiClient, requireScope } from '#api-clients/authenticate';
import { HttpError } from '#http/errors';
import { docsPage } from './docs.js';
import { idempotent } from './idempotency.js';
import { openApiDocument } from './openapi.js';
import { operations } from './operations.js';
import { IntegrationService, type ApiDeps } from './service.js';

/**
 * `/api/v1`: the REST integration API. `openapi.json` and `docs` are public;
 * every other route needs an API client key with the operation's scope, and
 * every POST honours `Idempotency-Key`.
 */
export function createApiRouter(input: Omit<ApiDeps, 'audit'> & { audit?: AuditLog }): express.Router {
  const deps: ApiDeps = { ...input, audit: input.audit ?? new AuditLog(input.db) };
  const ops = operations(deps);
  const document = openApiDocument(ops);
  const router = express.Router();

  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(docsPage(document));
  });

  router.use(requireApiClient(deps));
  for (const op of ops) {
    const handlers: express.RequestHandler[] = [requireScope(op.scope)];
    if (op.method === 'post') handlers.push(idempotent(deps.db));
    router[op.method](op.path, ...handlers, async (req, res) => {
      const client = apiClientOf(res);
      const result = await op.handler({
        params: parse(op.params, req.params, 'path'),
        query: parse(op.query, req.query, 'query'),
        body: parse(op.body, req.body, 'body'),
        client,
        api: new IntegrationService(deps, client),
        req,
        res,
      });
      res.status(op.status).json(result);
    });
  }
  return router;
}

function parse(schema: z.ZodType | undefined, data: unknown, what: string): never {
  if (schema === undefined) return undefined as never;
  const result = schema.safeParse(data);
  if (!result.success) throw HttpError.fromZod(result.error, what);
  return result.data as never;
}
