import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { deviceToken, eventually, seedSite } from '#testing/fixtures';

let server: TestServer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.stop()));
});
afterAll(async () => {
  await server?.close();
});

async function start(options: Omit<Parameters<typeof SimulatedDevice.start>[0], 'serverPort'>) {
  const device = await SimulatedDevice.start({ ...options, serverPort: server.port });
  devices.push(device);
  return device;
}

/** Blocks the server has leased at a site (each test has a site of its own). */
async function leases(siteId: string): Promise<{ start: number; end: number }[]> {
  return server.db.query<{ start: number; end: number }>(
    `SELECT first_number AS start, last_number AS "end" FROM ticket_blocks WHERE site_id = $1 ORDER BY first_number`,
    [siteId],
  );
}

async function reconnect(device: SimulatedDevice) {
  device.goOffline();
  await eventually(async () => expect((await device.state()).status).toBe('offline'));
  device.goOnline();
  await eventually(async () => expect((await device.state()).status).toBe('online'));
}

describe('keeping ticket numbers topped up', () => {
  it('leases one block per queue however many refills run at once', async () => {
    const { site } = await seedSite(server.db);
    const device = await start({ deviceId: crypto.randomUUID(), token: await deviceToken(server, site.id) });
    await eventually(async () => expect(await device.get('sites', site.id)).not.toBeNull());

    await Promise.all(Array.from({ length: 8 }, () => device.refillTickets(site.id)));
    expect(await leases(site.id)).toHaveLength(1);
    // A full block is kept until it runs low.
    await device.refillTickets(site.id);
    expect(await leases(site.id)).toHaveLength(1);
  });

  it('does not lease again on reconnects while the block is not low, and again once it is', async () => {
    const { site } = await seedSite(server.db);
    const device = await start({
      deviceId: crypto.randomUUID(),
      token: await deviceToken(server, site.id),
      tickets: { keepToppedUpAt: site.id, blockSize: 5, refillThreshold: 2 },
    });
    await eventually(async () => expect(await leases(site.id)).toHaveLength(1));
    // Waits for the lease in flight: a reply lost to the cable would cost a block.
    await device.refillTickets(site.id);
    for (let i = 0; i < 4; i++) await reconnect(device);
    await device.refillTickets(site.id);
    expect(await leases(site.id)).toEqual([{ start: 1, end: 5 }]);

    const codes = [await device.issueTicket(site.id), await device.issueTicket(site.id)];
    await device.refillTickets(site.id);
    expect(await leases(site.id)).toHaveLength(1);
    // Two left: the check-in that leaves the block low leases the next one.
    codes.push(await device.issueTicket(site.id));
    await eventually(async () =>
      expect(await leases(site.id)).toEqual([
        { start: 1, end: 5 },
        { start: 6, end: 10 },
      ]),
    );
    for (let i = 0; i < 3; i++) codes.push(await device.issueTicket(site.id));
    expect(codes).toEqual(['A-001', 'A-002', 'A-003', 'A-004', 'A-005', 'A-006']);
  });

  it('tries again after a refill that failed while the server was unreachable', async () => {
    const { site } = await seedSite(server.db);
    const device = await start({ deviceId: crypto.randomUUID(), token: await deviceToken(server, site.id) });
    await eventually(async () => expect(await device.get('sites', site.id)).not.toBeNull());
    device.goOffline();
    await device.refillTickets(site.id);
    expect(await leases(site.id)).toHaveLength(0);

    device.goOnline();
    await device.refillTickets(site.id);
    expect(await leases(site.id)).toHaveLength(1);
  });

  it('a kiosk that syncs once and goes offline gives block codes from its first check-in', async () => {
    const { site } = await seedSite(server.db);
    // Booted offline: on its first sync it is online before the site's record reaches its replica.
    const kiosk = await start({
      deviceId: crypto.randomUUID(),
      role: 'kiosk',
      token: await deviceToken(server, site.id, 'kiosk'),
      tickets: { keepToppedUpAt: site.id },
      offline: true,
    });
    expect(await kiosk.get('sites', site.id)).toBeNull();
    kiosk.goOnline();

    await eventually(async () => expect(await leases(site.id)).toHaveLength(1));
    // Waits for the lease in flight, so the block is on the kiosk before the cable goes.
    await kiosk.refillTickets(site.id);
    kiosk.goOffline();
    expect(await kiosk.issueTicket(site.id)).toBe('A-001');
    expect(await leases(site.id)).toHaveLength(1);
  });
});
