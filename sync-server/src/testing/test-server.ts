import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'socket.io';
import type { TokenService } from '#auth/tokens';
import type { ChangeFeed } from '#changes/feed';
import type { Db } from '#db/db';
import type { ReminderConfig } from '#reminders/config';
import type { Reminders, ReminderStartOptions } from '#reminders/index';
import type { Renderer } from '#app';
import type { BillingConfig } from '#billing/config';
import { loadConfig, type Config } from '#config';
import { createLogger, testLogLevel } from '#logger';
import { startServer, type RunningServer } from '#server';
import { clinicMorningTimezone } from '#seed/demo-clinic';
import type { DispatcherOptions } from '#webhooks/dispatcher';
import { createTestDatabase } from './test-database.js';

export interface TestServerOptions {
  /** An existing database (not dropped on close); default: a fresh one, dropped on close. */
  databaseUrl?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * Seed the demo clinic; off unless asked. It is seeded in a zone where it is
   * just before the clinic opens (clinicMorningTimezone), so its day has visits
   * ahead and free rooms whatever the hour a test runs.
   */
  demo?: boolean;
  /** Default: a random secret, kept across `restart()`. */
  tokenSecret?: string;
  corsOrigins?: string[];
  renderers?: readonly Renderer[];
  /** Environment variables, read as the server reads them at start (e.g. `{ LIVE_PING_INTERVAL: '500ms' }`). */
  env?: Record<string, string>;
  /** Webhook delivery timing, e.g. short retry delays. */
  webhooks?: DispatcherOptions;
  /** Stripe (the stand-in of testing/stripe-stand-in.ts) and kiosk payments; default none. */
  billing?: BillingConfig;
  /** Reminder channels (the stand-ins of testing/*-stand-in.ts); default none. */
  reminders?: ReminderConfig;
  /** Reminder timing, the AWS stand-ins' credentials, a clock. */
  reminderOptions?: ReminderStartOptions;
}

export interface TestServer extends RunningServer {
  databaseUrl: string;
  config: Config;
  /**
   * Stops the server, runs `whileDown` (devices notice the outage), and starts
   * it again on the same port and database with the same token secret.
   * `db`, `io` and `tokens` then refer to the new instance.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
}

/** The real server (startServer) on 127.0.0.1 against a test database, quiet unless LOG_LEVEL is set. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const owned = options.databaseUrl === undefined ? await createTestDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? owned!.url;
  const config: Config = {
    ...loadConfig(options.env ?? {}),
    host: '127.0.0.1',
    port: options.port ?? 0,
    databaseUrl,
    // Nothing is written here: the database is external and the token secret given.
    dataDir: join(tmpdir(), 'medisync-test-data'),
    logLevel: testLogLevel(),
    demo: options.demo ?? false,
    demoTimezone: clinicMorningTimezone(new Date()),
    corsOrigins: options.corsOrigins ?? [],
    tokenSecret: options.tokenSecret ?? randomBytes(48).toString('base64url'),
    ...(options.billing ? { billing: options.billing } : {}),
    ...(options.reminders ? { reminders: options.reminders } : {}),
  };
  const log = createLogger(config.logLevel);
  const start = (port: number) =>
    startServer(
      { ...config, port },
      {
        log,
        // Tests that need the no-show model run it themselves (runNoShowModels), at a moment they choose.
        noShowModels: false,
        ...(options.renderers ? { renderers: options.renderers } : {}),
        ...(options.webhooks ? { webhooks: options.webhooks } : {}),
        ...(options.reminderOptions ? { reminders: options.reminderOptions } : {}),
      },
    );

  let current: RunningServer;
  try {
    current = await start(config.port);
  } catch (error) {
    await owned?.drop();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    databaseUrl,
    config,
    get url() {
      return current.url;
    },
    get port() {
      return current.port;
    },
    get db(): Db {
      return current.db;
    },
    get io(): Server {
      return current.io;
    },
    get tokens(): TokenService {
      return current.tokens;
    },
    get changes(): ChangeFeed {
      return current.changes;
    },
    get reminders(): Reminders {
      return current.reminders;
    },
    async restart(whileDown) {
      const port = current.port;
      await current.close();
      await whileDown?.();
      current = await start(port);
    },
    close: () =>
      (closing ??= (async () => {
        await current.close();
        await owned?.drop();
      })()),
  };
}
