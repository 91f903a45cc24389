import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('runs out of the box: port 4000 on loopback, embedded database with the demo clinic', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      logLevel: 'info',
      demo: true,
      demoTimezone: 'America/New_York',
      corsOrigins: [],
      tokenSecret: undefined,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('does not seed the demo clinic into an existing database unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example.org:5432/medisync' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example.org/medisync', DEMO: 'true' }).demo).toBe(true);
    expect(loadConfig({ DEMO: 'no' }).demo).toBe(false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://medisync:secret@db:5432/medisync',
      DATA_DIR: '/var/lib/medisync',
      RENDERERS_DIR: '/opt/medisync/web',
      LOG_LEVEL: 'debug',
      DEMO: '0',
      DEMO_TIMEZONE: 'Europe/Berlin',
      CORS_ORIGINS: 'https://desk.example.org, http://localhost:5173',
      TOKEN_SECRET: 'k'.repeat(40),
    });
    // The tunables of each feature are checked in their own test below.
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://medisync:secret@db:5432/medisync',
      dataDir: '/var/lib/medisync',
      renderersDir: '/opt/medisync/web',
      logLevel: 'debug',
      demo: false,
      demoTimezone: 'Europe/Berlin',
      corsOrigins: ['https://desk.example.org', 'http://localhost:5173'],
      tokenSecret: 'k'.repeat(40),
    });
  });

  it('reads the operations tunables, durations written with their unit', () => {
    const config = loadConfig({
      WEBHOOK_POLL_INTERVAL: '250ms',
      WEBHOOK_RETRY_BASE: '30s',
      WEBHOOK_RETRY_MAX: '6h',
      WEBHOOK_MAX_ATTEMPTS: '20',
      WEBHOOK_TIMEOUT: '15s',
      WEBHOOK_BATCH_SIZE: '50',
      RETENTION_INTERVAL: '15m',
      AUDIT_RETENTION: '10y',
      AUDIT_AFTER_RETENTION: 'delete',
      WEBHOOK_LOG_RETENTION: '90d',
      IDEMPOTENCY_KEY_TTL: '48h',
      CHANGE_FEED_RETENTION: '2d',
      REMINDER_LOG_RETENTION: '2y',
      SHUTDOWN_GRACE: '20s',
      LIVE_PING_INTERVAL: '10s',
      LIVE_PING_TIMEOUT: '5s',
    });
    expect(config.webhooks).toEqual({
      pollMs: 250,
      retryBaseMs: 30_000,
      retryMaxMs: 6 * 3_600_000,
      maxAttempts: 20,
      timeoutMs: 15_000,
      batchSize: 50,
    });
    expect(config.retention).toMatchObject({
      every: { ms: 15 * 60_000 },
      auditEvents: { interval: '10 years' },
      auditAfter: 'delete',
      webhookLog: { interval: '90 days' },
      idempotencyKeys: { interval: '48 hours' },
      changeFeed: { interval: '2 days' },
      reminderLog: { interval: '2 years' },
    });
    expect(config.shutdownGraceMs).toBe(20_000);
    expect(config.live).toEqual({ pingIntervalMs: 10_000, pingTimeoutMs: 5_000 });
  });

  it('reads sign-in lifetimes, abuse limits and the pool size; unset limits keep their defaults', () => {
    const config = loadConfig({
      ACCESS_TOKEN_LIFETIME: '10m',
      SESSION_IDLE_TIMEOUT: '12h',
      SESSION_MAX_LIFETIME: '14d',
      RATE_LIMITS: 'sign-in:email=5/15m, kiosk-lookup:device=200/1h',
      DATABASE_POOL_SIZE: '25',
    });
    expect(config.sessions).toEqual({ accessTokenSeconds: 600, idleSeconds: 12 * 3600, maxSeconds: 14 * 86_400 });
    expect(config.abuseLimits).toEqual({
      signInPerEmail: { name: 'sign-in:email', max: 5, windowSeconds: 900 },
      kioskLookupsPerDevice: { name: 'kiosk-lookup:device', max: 200, windowSeconds: 3600 },
    });
    expect(config.databasePoolSize).toBe(25);
    expect(loadConfig({})).toMatchObject({
      sessions: { accessTokenSeconds: 900, idleSeconds: 7 * 86_400, maxSeconds: 30 * 86_400 },
      abuseLimits: {},
      databasePoolSize: 10,
    });
  });

  it('keeps audit events six years by default and archives them', () => {
    expect(loadConfig({}).retention).toMatchObject({
      auditEvents: { text: '6y', interval: '6 years' },
      auditAfter: 'archive',
      webhookLog: { text: '30d' },
      idempotencyKeys: { text: '24h' },
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', CORS_ORIGINS: '' })).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      corsOrigins: [],
    });
  });

  it('allows PORT=0 (any free port)', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT .*"eighty"/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT .*between 0 and 65535/],
    [
      { DATABASE_URL: 'mysql://db/medisync' },
      /^Invalid configuration: DATABASE_URL expected a postgres:\/\/ connection string$/,
    ],
    [
      { LOG_LEVEL: 'loud' },
      /^Invalid configuration: LOG_LEVEL expected one of fatal, error, warn, info, debug, trace, silent/,
    ],
    [{ DEMO: 'maybe' }, /^Invalid configuration: DEMO expected true or false/],
    [{ DEMO_TIMEZONE: 'Riverside/Time' }, /^Invalid configuration: DEMO_TIMEZONE expected an IANA time zone/],
    [{ CORS_ORIGINS: 'https://ok.example.org,https://bad.example.org/path' }, /^Invalid configuration: CORS_ORIGINS /],
    [{ TOKEN_SECRET: 'short' }, /^Invalid configuration: TOKEN_SECRET must be at least 32 characters$/],
    [
      { AUDIT_RETENTION: '6 years' },
      /^Invalid configuration: AUDIT_RETENTION expected a duration at least 1d.*"6 years"/,
    ],
    [{ AUDIT_RETENTION: '12h' }, /^Invalid configuration: AUDIT_RETENTION expected a duration at least 1d/],
    [{ WEBHOOK_TIMEOUT: '1h' }, /^Invalid configuration: WEBHOOK_TIMEOUT expected a duration between 100ms and 5m/],
    [{ WEBHOOK_MAX_ATTEMPTS: '0' }, /^Invalid configuration: WEBHOOK_MAX_ATTEMPTS expected a whole number between 1/],
    [{ AUDIT_AFTER_RETENTION: 'shred' }, /^Invalid configuration: AUDIT_AFTER_RETENTION expected archive or delete/],
    [
      { RATE_LIMITS: 'sign-in:email=8' },
      /^Invalid configuration: RATE_LIMITS expected name=attempts\/window .*sign-in:ip/,
    ],
    [{ RATE_LIMITS: 'login=8/10m' }, /^Invalid configuration: RATE_LIMITS .*"login=8\/10m" is not one/],
    [
      { SESSION_IDLE_TIMEOUT: '40d' },
      /^Invalid configuration: SESSION_IDLE_TIMEOUT \(40d\) is longer than SESSION_MAX_LIFETIME \(30d\)$/,
    ],
    [
      { WEBHOOK_RETRY_BASE: '2h', WEBHOOK_RETRY_MAX: '1h' },
      /^Invalid configuration: WEBHOOK_RETRY_BASE \(2h\) is longer than WEBHOOK_RETRY_MAX \(1h\)$/,
    ],
  ])('names the bad variable in one line: %j', (env, message) => {
    const text = failure(env);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('never repeats a secret in the message', () => {
    expect(failure({ TOKEN_SECRET: 'hunter2' })).not.toContain('hunter2');
    expect(failure({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).not.toContain('hunter2');
  });
});
