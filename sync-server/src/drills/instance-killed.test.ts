import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, seedSite } from '#testing/fixtures';
import type { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { Balancer } from './balancer.js';
import { expectReplicasEqualServer, serverIds } from './converged.js';
import { registerPatients, startDesks } from './devices.js';
import { startServerProcess, type ServerChild } from './server-child.js';

/**
 * Drill: two instances behind a load balancer (docs/architecture.md §7.4);
 * the one taking the devices' traffic is SIGKILLed while they push. The
 * devices carry on through the other, and nothing is lost or doubled.
 */
let survivor: TestServer;
let doomed: ServerChild;
let balancer: Balancer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  survivor = await startTestServer();
  doomed = await startServerProcess(survivor.databaseUrl, survivor.config.tokenSecret!);
  // Everything goes to the doomed instance while it lives.
  balancer = await Balancer.start(() => [doomed.port, survivor.port]);
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await balancer?.close();
  await doomed?.kill();
  await survivor?.close();
});

describe('drill: a server instance killed mid-push', () => {
  it('every write made before, during and after the kill is stored once and reaches every replica', async () => {
    const { site } = await seedSite(survivor.db);
    devices.push(...(await startDesks(survivor, site.id, balancer.port)));
    const created: string[] = [];

    await registerPatients(devices, site.id, 4, created);
    // Pushes are flowing through the doomed instance: kill it while more are on their way.
    await eventually(async () => expect((await serverIds(survivor.db, 'patients', site.id)).length).toBeGreaterThan(2));
    const during = registerPatients(devices, site.id, 4, created);
    await doomed.kill();
    await during;
    await registerPatients(devices, site.id, 2, created);

    await expectReplicasEqualServer(survivor.db, site.id, devices);
    expect(await serverIds(survivor.db, 'patients', site.id)).toEqual([...created].sort());
    // Each patient got its MRN once: a push retried after the kill did not give it a second.
    const mrns = await survivor.db.query<{ mrn: string }>(
      `SELECT doc->>'mrn' AS mrn FROM patients WHERE site_ids @> ARRAY[$1::uuid]`,
      [site.id],
    );
    expect(new Set(mrns.map((r) => r.mrn)).size).toBe(created.length);
    expect(mrns.every((r) => r.mrn !== null)).toBe(true);
  });
});
