import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ticketCodeSchema, type Patient, type QueueEntry, type TicketBlock } from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { enrolledDevice } from '#auth/testing';
import { deviceToken, eventually, newPatient, seedSite, serverDump } from '#testing/fixtures';

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

async function lease(token: string, body: Record<string, unknown>) {
  const response = await fetch(`${server.url}/tickets/blocks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as TicketBlock & {
      error?: { code: string; details: { issues: { path: string }[] } };
    },
  };
}

describe('ticket blocks', () => {
  it('leases disjoint ranges and distinct device tags to devices leasing at once', async () => {
    const { site } = await seedSite(server.db);
    const tokens = await Promise.all(Array.from({ length: 6 }, () => deviceToken(server, site.id)));
    const blocks = await Promise.all(tokens.map((token) => lease(token, { queue: 'reception', size: 40 })));
    expect(blocks.map((b) => b.status)).toEqual(Array(6).fill(201));
    const ranges = blocks.map((b) => [b.body.start, b.body.end] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    expect(new Set(blocks.map((b) => b.body.deviceTag)).size).toBe(6);
    // A second lease keeps the device's tag.
    const again = await lease(tokens[0]!, { queue: 'reception', size: 10 });
    expect(again.body.deviceTag).toBe(blocks[0]!.body.deviceTag);
  });

  it('refuses a queue the site does not have, naming the field', async () => {
    const { site } = await seedSite(server.db);
    const response = await lease(await deviceToken(server, site.id), { queue: 'pharmacy' });
    expect(response.status).toBe(400);
    expect(response.body.error?.details.issues.map((i) => i.path)).toEqual(['queue']);
  });

  it(
    'three devices offline a whole clinic day give 300 distinct short ticket codes',
    { timeout: 180_000 },
    async () => {
      const { site } = await seedSite(server.db);
      const started = await Promise.all(
        [0, 1, 2].map(async (i) =>
          SimulatedDevice.start({
            ...(await enrolledDevice(server, site.id, 'desk', `lobby ${i}`)),
            serverPort: server.port,
          }),
        ),
      );
      devices.push(...started);
      const patient = await started[0]!.create<Patient>('patients', newPatient(site.id));
      for (const device of started) {
        await eventually(async () => expect(await device.get('sites', site.id)).not.toBeNull());
        await device.refillTickets(site.id);
        device.goOffline();
      }

      const codes = (
        await Promise.all(
          started.map(async (device) => {
            const mine: string[] = [];
            for (let n = 0; n < 100; n++) {
              const code = await device.issueTicket(site.id);
              mine.push(code);
              await device.create<QueueEntry>('queueEntries', {
                id: crypto.randomUUID(),
                siteId: site.id,
                appointmentId: null,
                patientId: patient.id,
                queue: 'reception',
                ticketCode: code,
                priority: 'normal',
                status: 'waiting',
                checkedInAt: new Date().toISOString(),
                roomId: null,
              });
            }
            return mine;
          }),
        )
      ).flat();

      expect(codes).toHaveLength(300);
      expect(new Set(codes).size).toBe(300);
      for (const code of codes) {
        expect(ticketCodeSchema.safeParse(code).success).toBe(true);
        expect(code.length).toBeLessThanOrEqual(9);
      }

      for (const device of started) device.goOnline();
      await eventually(async () => {
        const entries = (await serverDump(server.db, site.id, ['queueEntries'])).queueEntries!.map(
          (e) => JSON.parse(e) as QueueEntry,
        );
        expect(entries).toHaveLength(300);
        expect(new Set(entries.map((e) => e.ticketCode)).size).toBe(300);
        expect(entries.filter((e) => e.needsAttention)).toEqual([]);
      }, 60_000);
    },
  );
});
