import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './node20-compat.js';
import { startEmbeddedPostgres } from '../embedded-postgres.js';
import { createLogger, testLogLevel } from '../logger.js';

/**
 * One PostgreSQL for the whole test run: the one DATABASE_URL names, or else
 * an embedded one in a temporary directory that is removed afterwards. Each
 * test file makes its own database in it (see test-database.ts).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.DATABASE_URL;
  if (external !== undefined && external !== '') {
    project.provide('adminDatabaseUrl', external);
    return undefined;
  }
  const log = createLogger(testLogLevel());
  const dataDir = await mkdtemp(join(tmpdir(), 'medisync-test-pg-'));
  // Run as root, PostgreSQL runs as the "postgres" user, which must be able to enter the directory.
  await chmod(dataDir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir, log, database: 'postgres' });
  project.provide('adminDatabaseUrl', postgres.adminConnectionString);
  return async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
