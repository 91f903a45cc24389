import { fileURLToPath } from 'node:url';
import { siteSchema } from '@medisync/shared/domain';
import { z } from 'zod';
import { billingConfigOf, billingEnv, type BillingConfig } from '#billing/config';
import type { AbuseLimits } from '#auth/rate-limit';
import { duration, type Duration } from '#ops/duration';
import { rateLimitsSpec } from '#ops/rate-limits';
import { reminderConfigOf, remindersEnv, type ReminderConfig } from '#reminders/config';
import { DEMO_TIMEZONE } from '#seed/demo-clinic';

/** The repository root (two levels above both `src/` and `dist/`), home of the default data directory. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' }))
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'expected a postgres:// connection string');

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`; Electron apps may use their own scheme. */
const origin = z
  .string()
  .regex(
    /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i,
    'expected comma-separated origins like https://desk.example.org (scheme, host and port only, no path or trailing slash)',
  );

const count = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${min} and ${max}` })
    .int(`expected a whole number between ${min} and ${max}`)
    .min(min, `expected a whole number between ${min} and ${max}`)
    .max(max, `expected a whole number between ${min} and ${max}`);

/**
 * Operations tunables (docs/architecture.md §7.5): webhook delivery timing,
 * retention periods, shutdown grace. Durations are written `30s`, `24h`, `6y`.
 */
function operationsEnv() {
  return {
    WEBHOOK_POLL_INTERVAL: duration('10ms', '1h').prefault('1s'),
    WEBHOOK_RETRY_BASE: duration('10ms', '1d').prefault('5s'),
    WEBHOOK_RETRY_MAX: duration('10ms', '7d').prefault('1h'),
    WEBHOOK_MAX_ATTEMPTS: count(1, 100).default(12),
    WEBHOOK_TIMEOUT: duration('100ms', '5m').prefault('10s'),
    WEBHOOK_BATCH_SIZE: count(1, 500).default(20),
    RETENTION_INTERVAL: duration('1s', '7d').prefault('1h'),
    AUDIT_RETENTION: duration('1d').prefault('6y'),
    AUDIT_AFTER_RETENTION: z.enum(['archive', 'delete'], { error: 'expected archive or delete' }).default('archive'),
    WEBHOOK_LOG_RETENTION: duration('1h').prefault('30d'),
    IDEMPOTENCY_KEY_TTL: duration('1m').prefault('24h'),
    CHANGE_FEED_RETENTION: duration('1h').prefault('7d'),
    REMINDER_LOG_RETENTION: duration('1d').prefault('1y'),
    SHUTDOWN_GRACE: duration('0s', '10m').prefault('5s'),
    LIVE_PING_INTERVAL: duration('100ms', '5m').prefault('25s'),
    LIVE_PING_TIMEOUT: duration('100ms', '5m').prefault('20s'),
    DATABASE_POOL_SIZE: count(1, 500).default(10),
    ACCESS_TOKEN_LIFETIME: duration('1m', '1d').prefault('15m'),
    SESSION_IDLE_TIMEOUT: duration('5m', '1y').prefault('7d'),
    SESSION_MAX_LIFETIME: duration('5m', '1y').prefault('30d'),
    RATE_LIMITS: rateLimitsSpec.optional(),
  };
}

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a port number')
    .min(0, 'expected a port between 0 and 65535')
    .max(65535, 'expected a port between 0 and 65535')
    .default(4000),
  HOST: z.string().trim().min(1, 'expected a host name or address').default('127.0.0.1'),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().trim().min(1, 'expected a directory').optional(),
  RENDERERS_DIR: z.string().trim().min(1, 'expected a directory').optional(),
  LOG_LEVEL: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
  DEMO: booleanText.optional(),
  DEMO_TIMEZONE: siteSchema.shape.timezone.default(DEMO_TIMEZONE),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(origin)),
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ...billingEnv(),
  ...remindersEnv(),
  ...operationsEnv(),
});

/** How the webhook outbox is sent (webhooks/dispatcher.ts). */
export interface WebhookTiming {
  /** How often due deliveries are looked for. */
  pollMs: number;
  /** The first retry waits this long, each next one twice as long. */
  retryBaseMs: number;
  /** The longest wait between attempts. */
  retryMaxMs: number;
  /** After this many attempts a delivery is given up as failed. */
  maxAttempts: number;
  /** One attempt's time limit. */
  timeoutMs: number;
  /** Deliveries claimed per round. */
  batchSize: number;
}

/** How long what only grows is kept (retention/). */
export interface RetentionSettings {
  /** How often each instance runs the retention jobs. */
  every: Duration;
  /** Audit events older than this leave `audit_events`. */
  auditEvents: Duration;
  /** Where they go: `audit_archive` (default), or nowhere. */
  auditAfter: 'archive' | 'delete';
  /** A webhook event whose deliveries all ended (delivered or given up) is removed this long after. */
  webhookLog: Duration;
  /** An Idempotency-Key's stored answer is kept this long. */
  idempotencyKeys: Duration;
  /** Rows of the committed-change feed are kept this long. */
  changeFeed: Duration;
  /** A reminder message that ended (sent, failed, cancelled, uncertain) is removed this long after, with its attempts. */
  reminderLog: Duration;
}

export interface Config {
  port: number;
  host: string;
  /** Absent: the server runs its own embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  /** Holds the embedded PostgreSQL cluster and the generated token secret. */
  dataDir: string;
  /** Absent: the web apps are served from each app's own `dist/renderer/`. */
  renderersDir: string | undefined;
  logLevel: LogLevel;
  /** Seed the demo clinic into an empty database on start. */
  demo: boolean;
  /** The demo clinic's IANA zone: what "today" and its opening hours mean there. */
  demoTimezone: string;
  corsOrigins: string[];
  /** Absent: a random secret is generated once and kept in `dataDir`. */
  tokenSecret: string | undefined;
  /** Stripe and the kiosk's payments (billing/config.ts). */
  billing: BillingConfig;
  /** Reminder channels, links and timing (reminders/config.ts). */
  reminders: ReminderConfig;
  webhooks: WebhookTiming;
  retention: RetentionSettings;
  /** How long in-flight requests get to finish on shutdown before their connections are cut. */
  shutdownGraceMs: number;
  /**
   * socket.io's heartbeat: the server pings every `pingIntervalMs` and drops a
   * socket that does not answer within `pingTimeoutMs`; a device that hears no
   * ping for both together takes its connection for dead and reconnects.
   */
  live: { pingIntervalMs: number; pingTimeoutMs: number };
  /** Connections each instance keeps to PostgreSQL for requests. */
  databasePoolSize: number;
  /** Staff sign-in (auth/): how long an access token and a session last. */
  sessions: SessionLifetimes;
  /** Abuse limits changed from their defaults (auth/rate-limit.ts). */
  abuseLimits: Partial<AbuseLimits>;
}

export interface SessionLifetimes {
  accessTokenSeconds: number;
  /** A session ends after this long without a refresh... */
  idleSeconds: number;
  /** ...and never lasts longer than this after sign-in. */
  maxSeconds: number;
}

/** A configuration problem, phrased for the person starting the server. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the server's configuration from environment variables and checks it
 * before anything starts, so a typo fails at once with the variable named.
 * Empty variables count as unset.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const value = present[variable];
    const shown =
      // Secrets (TOKEN_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TWILIO_AUTH_TOKEN, a password in SMTP_URL) are never echoed.
      value === undefined || /SECRET|TOKEN/.test(variable) || ['DATABASE_URL', 'SMTP_URL'].includes(variable)
        ? ''
        : ` (got "${value}")`;
    throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  const billing = billingConfigOf(e);
  if (typeof billing === 'string') throw new ConfigError(`Invalid configuration: ${billing}`);
  const reminders = reminderConfigOf(e);
  if (typeof reminders === 'string') throw new ConfigError(`Invalid configuration: ${reminders}`);
  if (e.SESSION_IDLE_TIMEOUT.ms > e.SESSION_MAX_LIFETIME.ms) {
    throw new ConfigError(
      `Invalid configuration: SESSION_IDLE_TIMEOUT (${e.SESSION_IDLE_TIMEOUT.text}) is longer than SESSION_MAX_LIFETIME (${e.SESSION_MAX_LIFETIME.text})`,
    );
  }
  if (e.WEBHOOK_RETRY_BASE.ms > e.WEBHOOK_RETRY_MAX.ms) {
    throw new ConfigError(
      `Invalid configuration: WEBHOOK_RETRY_BASE (${e.WEBHOOK_RETRY_BASE.text}) is longer than WEBHOOK_RETRY_MAX (${e.WEBHOOK_RETRY_MAX.text})`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? `${REPO_ROOT}.data`,
    renderersDir: e.RENDERERS_DIR,
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO ?? e.DATABASE_URL === undefined,
    demoTimezone: e.DEMO_TIMEZONE,
    corsOrigins: e.CORS_ORIGINS,
    tokenSecret: e.TOKEN_SECRET,
    billing,
    reminders,
    webhooks: {
      pollMs: e.WEBHOOK_POLL_INTERVAL.ms,
      retryBaseMs: e.WEBHOOK_RETRY_BASE.ms,
      retryMaxMs: e.WEBHOOK_RETRY_MAX.ms,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.WEBHOOK_TIMEOUT.ms,
      batchSize: e.WEBHOOK_BATCH_SIZE,
    },
    retention: {
      every: e.RETENTION_INTERVAL,
      auditEvents: e.AUDIT_RETENTION,
      auditAfter: e.AUDIT_AFTER_RETENTION,
      webhookLog: e.WEBHOOK_LOG_RETENTION,
      idempotencyKeys: e.IDEMPOTENCY_KEY_TTL,
      changeFeed: e.CHANGE_FEED_RETENTION,
      reminderLog: e.REMINDER_LOG_RETENTION,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE.ms,
    live: { pingIntervalMs: e.LIVE_PING_INTERVAL.ms, pingTimeoutMs: e.LIVE_PING_TIMEOUT.ms },
    databasePoolSize: e.DATABASE_POOL_SIZE,
    sessions: {
      accessTokenSeconds: e.ACCESS_TOKEN_LIFETIME.ms / 1_000,
      idleSeconds: Math.round(e.SESSION_IDLE_TIMEOUT.ms / 1_000),
      maxSeconds: Math.round(e.SESSION_MAX_LIFETIME.ms / 1_000),
    },
    abuseLimits: e.RATE_LIMITS ?? {},
  };
}

/** Session lifetimes when nothing is configured (auth/identity.ts's defaults). */
export const defaultSessionLifetimes: SessionLifetimes = loadConfig({}).sessions;

/** The webhook timing when nothing is configured; the dispatcher's defaults. */
export const defaultWebhookTiming: WebhookTiming = loadConfig({}).webhooks;
