import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { Server } from 'socket.io';
import { TokenService } from '#auth/tokens';
import { ChangeFeed } from '#changes/feed';
import { createGraphQL } from '#graphql/index';
import { Db, keepConnectionErrorsFromCrashing } from '#db/db';
import { migrate } from '#db/migrate';
import { createApp, renderersIn, type Renderer } from '#app';
import type { Config } from '#config';
import { startEmbeddedPostgres, type RunningPostgres } from '#embedded-postgres';
import { seedDemoIfEmpty } from '#seed/seed';
import { attachLiveChanges, type SyncDeps } from '#sync/index';
import { WebhookDispatcher, type DispatcherOptions } from '#webhooks/dispatcher';
import { retentionSchedule } from '#retention/retention';
import { noShowSchedule } from '#no-show/job';
import { createMetrics } from '#metrics/metrics';
import { AuditLog } from '#audit/audit-log';
import { serverWrites } from '#billing/accounts';
import { createReminders, type Reminders, type ReminderStartOptions } from '#reminders/index';
import { takeOverRestoredDatabase } from '#ops/restored-database';

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** The port actually listened on (PORT=0 picks a free one). */
  port: number;
  db: Db;
  io: Server;
  /** Signs and verifies session and device tokens with the server's secret. */
  tokens: TokenService;
  /** This instance's reader of the committed-change feed (docs/architecture.md §9.2). */
  changes: ChangeFeed;
  /** Appointment reminders: the scheduler and its public page (docs/architecture.md §9.6). */
  reminders: Reminders;
  /** Graceful shutdown: HTTP, then sockets, then the pool, then the embedded PostgreSQL. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /**
   * The caller handles SIGINT/SIGTERM and calls `close()`, so the embedded
   * PostgreSQL must not stop itself on those signals ahead of the pool.
   */
  handlesSignals?: boolean;
  /** Overrides where built renderers are looked for (tests). */
  renderers?: readonly Renderer[];
  /** Webhook delivery timing over the configured one (tests shorten the retry delays). */
  webhooks?: DispatcherOptions;
  /** Reminder timing, the AWS stand-ins' credentials, a clock (tests). */
  reminders?: ReminderStartOptions;
  /** Retrain and rescore the no-show model on a schedule (no-show/job.ts); tests run it by hand. Default true. */
  noShowModels?: boolean;
}

/**
 * The origins of MediSync's own Electron apps (desktop/src/main/shell/app-protocol.ts).
 * Only those apps' pages carry them (no web page can), so they are always allowed.
 */
const ELECTRON_APP_ORIGINS = ['app://desktop', 'app://kiosk'];

/**
 * Starts the sync server: database (embedded unless DATABASE_URL is set),
 * migrations, the demo clinic when asked, then HTTP and socket.io on one port.
 * Anything that fails on the way undoes what was started before it.
 */
export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const { log } = options;
  const undo: (() => Promise<void>)[] = [];
  try {
    let connectionString = config.databaseUrl;
    if (connectionString === undefined) {
      const postgres: RunningPostgres = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        log,
        stopOnSignals: options.handlesSignals !== true,
      });
      undo.unshift(postgres.stop);
      connectionString = postgres.connectionString;
    }

    const db = new Db(connectionString, log, { max: config.databasePoolSize });
    undo.unshift(() => closePool(db));
    await migrate(db, log);
    await takeOverRestoredDatabase(db, log);
    const tokenSecret = config.tokenSecret ?? (await storedTokenSecret(config.dataDir, log));
    const tokens = new TokenService(tokenSecret);
    // One value for the server's lifetime: pushes share a transaction only when theirs is the same.
    const afterWrite = serverWrites(config.billing.currency);
    if (config.demo) await seedDemoIfEmpty(db, log, { timezone: config.demoTimezone, afterWrite });
    // Every instance reads the one committed-change feed; its outlets subscribe here (docs/architecture.md §9.2).
    const changes = new ChangeFeed({ connectionString, db, log });
    await changes.start();
    undo.unshift(() => changes.stop());

    const corsOrigins = [...ELECTRON_APP_ORIGINS, ...config.corsOrigins];
    const io = new Server({
      serveClient: false,
      pingInterval: config.live.pingIntervalMs,
      pingTimeout: config.live.pingTimeoutMs,
      ...(corsOrigins.length > 0 ? { cors: { origin: [...corsOrigins] } } : {}),
    });
    // Live changes reach the sockets of every server instance sharing this database (docs/architecture.md §7.4).
    const livePool = new pg.Pool({ connectionString, max: 2, application_name: 'medisync-live' });
    livePool.on('error', (error) => log.warn({ err: error.message }, 'live adapter connection failed'));
    // The adapter keeps one client for LISTEN and reconnects when it ends, but does not
    // listen for its errors: a PostgreSQL restart would otherwise end the process.
    keepConnectionErrorsFromCrashing(livePool, log);
    io.adapter(
      createAdapter(livePool, {
        errorHandler: (error) => log.warn({ err: error.message }, 'socket.io adapter error'),
      }),
    );
    undo.unshift(() => closeLiveAdapter(io, livePool));
    const deps: SyncDeps = { db, log, io, tokens, afterWrite };
    const graphql = createGraphQL({ db, log, io, changes, afterWrite });
    const metrics = createMetrics({ db, io, changes });
    undo.unshift(async () => metrics.stop());
    let serverUrl = '';
    const reminders = createReminders(
      {
        db,
        log,
        io,
        audit: new AuditLog(db),
        afterWrite,
        config: config.reminders,
        tokenSecret,
        publicUrl: () => config.reminders.publicUrl ?? serverUrl,
        changes,
      },
      options.reminders,
    );
    const renderers = options.renderers ?? (config.renderersDir ? renderersIn(config.renderersDir) : undefined);
    const app = createApp({
      ...deps,
      graphql: graphql.router,
      metrics,
      reminders: reminders.router,
      email: reminders.email,
      corsOrigins,
      limits: config.abuseLimits,
      sessions: config.sessions,
      billing: config.billing,
      ...(renderers ? { renderers } : {}),
    });
    const httpServer = http.createServer(app);
    // Attached after the app is the server's listener: socket.io takes its own paths and hands the rest on.
    io.attach(httpServer);
    attachLiveChanges(deps, changes);
    const closeGraphQLSockets = graphql.attachWebSocket(httpServer);

    await listen(httpServer, config.port, config.host);
    // Subscriptions end before HTTP drains: upgraded sockets would hold it open until the grace period.
    undo.unshift(closeGraphQLSockets);
    undo.unshift(() => closeHttpAndSockets(httpServer, io, config.shutdownGraceMs));
    // Stopped before HTTP closes, so no attempt is cut off by the pool ending under it.
    const webhooks = new WebhookDispatcher(db, log, { ...config.webhooks, ...options.webhooks });
    webhooks.start();
    undo.unshift(() => webhooks.stop());
    // Every instance runs the retention jobs; they skip what another is doing (retention/retention.ts).
    const retention = retentionSchedule(db, log, config.retention);
    retention.start();
    undo.unshift(() => retention.stop());
    // Every instance retrains and rescores; a site another instance is training is skipped (no-show/job.ts).
    if (options.noShowModels !== false) {
      const noShowModels = noShowSchedule({ db, log });
      noShowModels.start();
      undo.unshift(() => noShowModels.stop());
    }
    const port = (httpServer.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    serverUrl = url;
    // Like the webhook outbox: stopped before HTTP closes, and a message already handed over is waited for.
    reminders.start();
    undo.unshift(() => reminders.stop());
    log.info({ url }, 'sync server listening');

    let closing: Promise<void> | undefined;
    const close = () => (closing ??= runInOrder(undo, log));
    return { url, port, db, io, tokens, changes, reminders, close };
  } catch (error) {
    await runInOrder(undo, log);
    throw error;
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is already in use; set PORT to another port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Stops accepting connections, lets requests in flight finish (cutting them
 * after a grace period), and disconnects every socket so devices notice at
 * once and reconnect to another instance or to this one when it is back.
 */
async function closeHttpAndSockets(httpServer: http.Server, io: Server, graceMs: number): Promise<void> {
  // socket.io closes the HTTP server too, and calls back only once every connection has ended: the
  // grace period runs from here, or one client that stops reading would hold the shutdown for good.
  const drained = new Promise<void>((resolve) => void io.close(() => resolve()));
  httpServer.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      httpServer.closeAllConnections();
      resolve();
    }, graceMs);
  });
  await Promise.race([drained, grace]);
  clearTimeout(timer);
}

/**
 * Closes socket.io's PostgreSQL adapter and its pool. The adapter takes its
 * LISTEN connection in the background and drops a close request that comes
 * before it has one, keeping the connection for good; so close it again until
 * the connection is back in the pool.
 */
async function closeLiveAdapter(io: Server, pool: pg.Pool): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let attempt = 0; attempt < 40 && pool.totalCount > pool.idleCount; attempt++) {
    void io.of('/').adapter.close();
    await sleep(50);
  }
  await Promise.race([pool.end(), sleep(2_000)]);
}

/**
 * Ends the pool and waits until its connections have really closed: the pool
 * reports itself ended while its last goodbyes are still on the wire, and a
 * database stopped right then would cut them off.
 */
async function closePool(db: Db): Promise<void> {
  const open = db.pool.totalCount;
  let closed = 0;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    db.pool.on('remove', () => {
      if (++closed >= open) resolve();
    });
  });
  await db.close();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)))]);
  clearTimeout(timer);
}

async function runInOrder(steps: (() => Promise<void>)[], log: Logger): Promise<void> {
  for (const step of steps.splice(0)) {
    try {
      await step();
    } catch (error) {
      log.warn({ err: String(error) }, 'a shutdown step failed');
    }
  }
}

/**
 * Without TOKEN_SECRET, tokens are signed with a random secret made once and
 * kept in the data directory, so sign-ins survive restarts. Several instances
 * behind a load balancer must share one TOKEN_SECRET instead.
 */
async function storedTokenSecret(dataDir: string, log: Logger): Promise<string> {
  const file = join(dataDir, 'token-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  log.info({ file }, 'generated a token secret; set TOKEN_SECRET to share one between instances');
  return secret;
}
