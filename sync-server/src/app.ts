import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { RESTORED_THROUGH_HEADER } from '@medisync/shared/sync';
import { isMigrated } from '#db/migrate';
import { errorHandler, HttpError, notFound } from '#http/errors';
import { operationOutcomeErrors } from '#fhir/outcome';
import { requestContext } from '#http/request-context';
import { createSyncRouter, type SyncDeps } from '#sync/index';
import { createIdentityRouter } from '#auth/identity';
import type { AbuseLimits } from '#auth/rate-limit';
import type { SessionLifetimes } from '#config';
import { createIntegrationRouter } from '#api/index';
import { createIsActive } from '#auth/is-active';
import { ticketsRouter } from '#tickets/router';
import { attentionRouter } from '#attention/router';
import { reportsRouter } from '#reports/router';
import type { Metrics } from '#metrics/metrics';
import { AuditLog } from '#audit/audit-log';
import { billingRoutes, type BillingConfig } from '#billing/index';
import type { EmailChannel } from '#reminders/channels/channel';

export interface AppDeps extends SyncDeps {
  /** Abuse limits changed from their defaults (RATE_LIMITS). */
  limits?: Partial<AbuseLimits>;
  /** Access token and session lifetimes. */
  sessions?: SessionLifetimes;
  /** Browser origins allowed to call the API; none means same-origin only. */
  corsOrigins: readonly string[];
  /** Where the built renderers live; defaults to the repository's own folders. */
  renderers?: readonly Renderer[];
  /** The GraphQL API's routes (graphql/index.ts); absent, there is no `/graphql`. */
  graphql?: express.Router;
  /** Reminders' public confirm, cancel and unsubscribe page and SMS replies (reminders/router.ts). */
  reminders?: express.Router;
  /** Stripe and the kiosk's payments; none configured: no card payments. */
  billing?: BillingConfig;
  /** The email channel reminders send through; billing emails invoices through it too. */
  email?: EmailChannel | null;
  /** Prometheus metrics (metrics/metrics.ts): every request counted, `GET /metrics`. */
  metrics?: Metrics;
}

export interface Renderer {
  /** URL path the renderer is served under, e.g. `/app/desktop`. */
  mount: string;
  /**
   * Its built files; nothing is served while the folder does not exist. Unknown paths
   * without a file extension load its `index.html`, if any; unknown files are 404.
   */
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
  if (deps.metrics) app.use(deps.metrics.middleware);
  app.use(
    helmet({
      // Clinics often serve the display to a TV over plain http on their own network;
      // upgrading its requests to https would break it.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  if (deps.corsOrigins.length > 0) {
    app.use(
      cors({ origin: [...deps.corsOrigins], exposedHeaders: ['x-request-id', RESTORED_THROUGH_HEADER], maxAge: 600 }),
    );
  }
  const auth = { db: deps.db, tokens: deps.tokens, isActive: deps.isActive ?? createIsActive(deps.db) };
  const audit = deps.audit ?? new AuditLog(deps.db);
  const billing = billingRoutes(
    { ...auth, log: deps.log, io: deps.io, audit, email: deps.email ?? null },
    deps.billing,
  );
  // Stripe signs the raw body: this route reads it before any JSON parser does.
  app.post('/webhooks/stripe', ...billing.stripeWebhook);
  app.use(express.json({ limit: '1mb' }));

  if (deps.metrics) app.use(deps.metrics.router);

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
  // A FHIR client gets an OperationOutcome even for what fails before the FHIR router (an oversized JSON body).
  app.use('/fhir/R4', operationOutcomeErrors(deps.log));
  app.use('/tickets', ticketsRouter(auth));
  app.use('/attention', attentionRouter({ ...auth, audit }));
  app.use('/reports', reportsRouter(auth));
  app.use('/billing', billing.router);

  if (deps.graphql) app.use(deps.graphql);
  if (deps.reminders) app.use(deps.reminders);

  for (const renderer of deps.renderers ?? builtRenderers) serveRenderer(app, renderer);

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}

/**
 * A renderer's files, looked up on each request, so a renderer built while
 * the server runs is served without a restart. Pages and the service worker
 * are revalidated on every load (a new build reaches the browser on its next
 * reload); the content-hashed assets may be cached.
 */
function serveRenderer(app: Express, renderer: Renderer): void {
  app.use(
    renderer.mount,
    express.static(renderer.dir, {
      index: 'index.html',
      maxAge: '1h',
      setHeaders: (res, path) => {
        if (/\.html$|(^|[/\\])sw\.js$/.test(path)) res.setHeader('cache-control', 'no-cache');
      },
    }),
  );
  const index = join(renderer.dir, 'index.html');
  // Client-side routes of a single-page app load its index page. A path that names a
  // file (`.env`, `app.js.map`) and was not found above is a 404, not that page.
  app.get(`${renderer.mount}/*splat`, (req, res, next) => {
    if (looksLikeFile(req.path) || !existsSync(index)) next();
    else res.sendFile(index, { headers: { 'cache-control': 'no-cache' } });
  });
}

/** The built web apps under one folder: `desktop/` and `kiosk/`, as `npm start` builds them there. */
export function renderersIn(dir: string): Renderer[] {
  return [
    { mount: '/app/desktop', dir: join(dir, 'desktop') },
    { mount: '/app/kiosk', dir: join(dir, 'kiosk') },
  ];
}

/**
 * A file name (`index.js`, `app.js.map`) or anything under a hidden folder
 * (`.git/config`): never one of the app's client-side routes.
 */
function looksLikeFile(path: string): boolean {
  const segments = path.split('/');
  return (segments.at(-1) ?? '').includes('.') || segments.some((s) => s.startsWith('.'));
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
