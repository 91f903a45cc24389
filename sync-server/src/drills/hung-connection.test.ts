import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medisync/shared/domain';
import { eventually, newPatient, seedSite } from '#testing/fixtures';
import type { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { expectReplicasEqualServer, serverIds } from './converged.js';
import { startDesks } from './devices.js';

/**
 * Drill: a device's connections to the server go silent without closing (a
 * dead NAT entry, a flaky switch): neither end is told, bytes just stop.
 * When the network is back, what the device wrote meanwhile must reach the
 * server and what others wrote must reach the device.
 */
let server: TestServer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  // A short heartbeat, so the device notices the silence within a second or two instead of 45 s.
  server = await startTestServer({ env: { LIVE_PING_INTERVAL: '500ms', LIVE_PING_TIMEOUT: '500ms' } });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await server?.close();
});

describe('drill: a connection that hangs without closing', () => {
  /** Written while the stuck desk's connections were silent, by it and by the other desk. */
  const written: { fromStuck?: string; fromOther?: string; site?: string } = {};

  it('the server lets go of the silent device within its heartbeat, and the rest of the clinic syncs on', async () => {
    const { site } = await seedSite(server.db);
    const [stuck, other] = await startDesks(server, site.id, server.port);
    devices.push(stuck!, other!);
    await stuck!.create<Patient>('patients', newPatient(site.id));
    await expectReplicasEqualServer(server.db, site.id, devices);
    expect(server.io.of('/').sockets.size).toBe(2);

    stuck!.proxy.hang();
    const fromStuck = await stuck!.create<Patient>('patients', newPatient(site.id));
    // No pong comes back through the silence: the server drops that socket, not the other.
    await eventually(async () => expect(server.io.of('/').sockets.size).toBe(1), 10_000);
    const fromOther = await other!.create<Patient>('patients', newPatient(site.id));
    await eventually(async () => expect(await serverIds(server.db, 'patients', site.id)).toContain(fromOther.id));
    expect(await serverIds(server.db, 'patients', site.id)).not.toContain(fromStuck.id);
    stuck!.proxy.heal();
    Object.assign(written, { fromStuck: fromStuck.id, fromOther: fromOther.id, site: site.id });
  });

  /**
   * A request in flight when its connection went silent would wait for an answer
   * that never comes, and a live-connection attempt made during the silence would
   * too: the client gives each a time limit (shared/src/sync/replication.ts), so
   * once the network is back it retries on fresh connections within seconds
   * (a live-connection attempt made during the silence gives up after 10 s).
   * Pooled connections that died in the silence look alive: for a while after
   * the live connection is back, a request sent on one gives up after 5 s,
   * not 30, and RxDB sends it again (the server's own writes, such as the
   * billing account it opens for each new patient, come down that way too).
   */
  it('once the network is back, writes from both sides of the silence reach the device and the server', async () => {
    const [stuck] = devices;
    await eventually(async () => {
      expect(await serverIds(server.db, 'patients', written.site!)).toContain(written.fromStuck);
      expect(await stuck!.get('patients', written.fromOther!)).not.toBeNull();
    }, 25_000);
    await expectReplicasEqualServer(server.db, written.site!, devices, 15_000);
  });
});
