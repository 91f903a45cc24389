import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { isMigrated } from '#db/migrate';
import { errorHandler, HttpError, notFound } from '#http/errors';
import { requestContext } from '#http/request-context';
import { createSyncRouter, type SyncDeps } from '#sync/index';
import { createIdentityRouter } from '#auth/identity';
import { createIntegrationRouter } from '#api/index';
import { createIsActive } from '#auth/is-active';
import { ticketsRouter } from '#tickets/router';
import { attentionRouter } from '#attention/router';
import { AuditLog } from '#audit/audit-log';

export interface AppDeps extends SyncDeps {
  /** Browser origins allowed to call the API; none means same-origin only. */
  corsOrigins: readonly string[];
  /** Where the built renderers live; defaults to the repository's own folders. */
  renderers?: readonly Renderer[];
}

export interface Renderer {
  /** URL path the renderer is served under, e.g. `/app/desktop`. */
  mount: string;
  /** Its built files; not served when the folder does not exist. Unknown paths load its `index.html`, if any. */
  dir: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The renderers the server can serve as plain web pages, e.g. the waiting-room display on a TV's browser. */
export const builtRenderers: readonly Renderer[] = [
  { mount: '/app/desktop', dir: join(REPO_ROOT, 'desktop', 'dist', 'renderer') },
  { mount: '/app/kiosk', dir: join(REPO_ROOT, 'kiosk', 'dist', 'renderer') },
];

/** Readiness waits at most this long for the database, so a hung connection reads as "not ready". */
const READINESS_TIMEOUT_MS = 3_000;

/**
 * The HTTP application, without a listener: tests and the server both mount
 * it on their own `http.Server`.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(deps.log));
  app.use(
    helmet({
      // Clinics often serve the display to a TV over plain http on their own network;
      // upgrading its requests to https would break it.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  if (deps.corsOrigins.length > 0) {
    app.use(cors({ origin: [...deps.corsOrigins], exposedHeaders: ['x-request-id'], maxAge: 600 }));
  }
  app.use(express.json({ limit: '1mb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const problem = await readinessProblem(deps);
    if (problem !== null) throw new HttpError(503, 'not-ready', problem.message, { database: problem.database });
    res.json({ status: 'ready' });
  });

  app.use(createIdentityRouter(deps));
  app.use('/sync', createSyncRouter(deps));
  app.use(createIntegrationRouter(deps));
  const auth = { db: deps.db, tokens: deps.tokens, isActive: deps.isActive ?? createIsActive(deps.db) };
  app.use('/tickets', ticketsRouter(auth));
  app.use('/attention', attentionRouter({ ...auth, audit: deps.audit ?? new AuditLog(deps.db) }));

  for (const renderer of deps.renderers ?? builtRenderers) {
    if (!existsSync(renderer.dir)) continue;
    app.use(renderer.mount, express.static(renderer.dir, { index: 'index.html', maxAge: '1h' }));
    const index = join(renderer.dir, 'index.html');
    if (existsSync(index)) {
      // Client-side routes of a single-page app load its index page.
      app.get(`${renderer.mount}/*splat`, (_req, res) => {
        res.sendFile(index);
      });
    }
  }

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}

async function readinessProblem(deps: AppDeps): Promise<{ database: string; message: string } | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READINESS_TIMEOUT_MS);
  });
  const check = (async () => {
    try {
      await deps.db.query('SELECT 1');
    } catch {
      return 'unreachable' as const;
    }
    return (await isMigrated(deps.db)) ? ('ready' as const) : ('not-migrated' as const);
  })();
  const state = await Promise.race([check, timeout]).finally(() => clearTimeout(timer));
  switch (state) {
    case 'ready':
      return null;
    case 'not-migrated':
      return { database: state, message: 'the database schema is not up to date' };
    default:
      return { database: 'unreachable', message: 'the database cannot be reached' };
  }
}
