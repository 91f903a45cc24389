import { fileURLToPath } from 'node:url';
import { z } from 'zod';

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
  LOG_LEVEL: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
  DEMO: booleanText.optional(),
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
});

export interface Config {
  port: number;
  host: string;
  /** Absent: the server runs its own embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  /** Holds the embedded PostgreSQL cluster and the generated token secret. */
  dataDir: string;
  logLevel: LogLevel;
  /** Seed the demo clinic into an empty database on start. */
  demo: boolean;
  corsOrigins: string[];
  /** Absent: a random secret is generated once and kept in `dataDir`. */
  tokenSecret: string | undefined;
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
      value === undefined || variable === 'TOKEN_SECRET' || variable === 'DATABASE_URL' ? '' : ` (got "${value}")`;
    throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? `${REPO_ROOT}.data`,
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO ?? e.DATABASE_URL === undefined,
    corsOrigins: e.CORS_ORIGINS,
    tokenSecret: e.TOKEN_SECRET,
  };
}
