import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '#embedded-postgres';
import { createLogger, testLogLevel } from '#logger';
import { eventually, seedSite } from '#testing/fixtures';
import type { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { expectReplicasEqualServer, serverIds } from './converged.js';
import { registerPatients, startDesks } from './devices.js';

/**
 * Drill: PostgreSQL stops and starts again while devices push (a restart for
 * an upgrade, a failover). The cluster belongs to this test alone, so it can
 * be stopped; the server stays up throughout and must recover on its own.
 */
const log = createLogger(testLogLevel());
let dataDir: string;
let postgres: RunningPostgres;
let server: TestServer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'medisync-drill-pg-'));
  // Run as root, PostgreSQL runs as the "postgres" user, which must be able to enter the directory.
  await chmod(dataDir, 0o755);
  postgres = await startEmbeddedPostgres({ dataDir, log, database: 'medisync' });
  server = await startTestServer({ databaseUrl: postgres.connectionString });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await server?.close();
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('drill: PostgreSQL restarted while devices push', () => {
  it('what the devices wrote before, during and after the outage is stored once and reaches every replica', async () => {
    const { site } = await seedSite(server.db);
    devices.push(...(await startDesks(server, site.id, server.port)));
    const created: string[] = [];

    await registerPatients(devices, site.id, 3, created);
    await eventually(async () => expect((await serverIds(server.db, 'patients', site.id)).length).toBeGreaterThan(2));
    const during = registerPatients(devices, site.id, 3, created);
    await postgres.stop();
    await during;
    // The devices keep working on their replicas; their pushes fail until the database is back.
    await registerPatients(devices, site.id, 2, created);
    await eventually(async () => {
      const states = await Promise.all(devices.map((d) => d.state()));
      expect(states.every((s) => s.pending > 0)).toBe(true);
    });
    postgres = await startEmbeddedPostgres({ dataDir, log, database: 'medisync', port: postgres.port });
    await registerPatients(devices, site.id, 2, created);

    await expectReplicasEqualServer(server.db, site.id, devices);
    expect(await serverIds(server.db, 'patients', site.id)).toEqual([...created].sort());
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
