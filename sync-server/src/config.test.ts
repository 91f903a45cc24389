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
      LOG_LEVEL: 'debug',
      DEMO: '0',
      CORS_ORIGINS: 'https://desk.example.org, http://localhost:5173',
      TOKEN_SECRET: 'k'.repeat(40),
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://medisync:secret@db:5432/medisync',
      dataDir: '/var/lib/medisync',
      logLevel: 'debug',
      demo: false,
      corsOrigins: ['https://desk.example.org', 'http://localhost:5173'],
      tokenSecret: 'k'.repeat(40),
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
    [{ CORS_ORIGINS: 'https://ok.example.org,https://bad.example.org/path' }, /^Invalid configuration: CORS_ORIGINS /],
    [{ TOKEN_SECRET: 'short' }, /^Invalid configuration: TOKEN_SECRET must be at least 32 characters$/],
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
