import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mrnLabel, type Patient } from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { deviceToken, eventually, newPatient, seedSite } from '#testing/fixtures';

let server: TestServer;
const devices: SimulatedDevice[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await server?.close();
});

describe('medical record numbers', () => {
  it('a patient registered offline shows "MRN pending" until the server gives two desks distinct MRNs', async () => {
    const { site } = await seedSite(server.db);
    const desks = await Promise.all(
      ['mrn-a', 'mrn-b'].map(async (deviceId) =>
        SimulatedDevice.start({ deviceId, serverPort: server.port, token: await deviceToken(server, site.id) }),
      ),
    );
    devices.push(...desks);
    for (const desk of desks) {
      await eventually(async () => expect(await desk.get('sites', site.id)).not.toBeNull());
      desk.goOffline();
    }
    const registered = await Promise.all(desks.map((desk) => desk.create<Patient>('patients', newPatient(site.id))));
    for (const [i, desk] of desks.entries()) {
      expect(mrnLabel((await desk.get<Patient>('patients', registered[i]!.id))!)).toBe('MRN pending');
      desk.goOnline();
    }
    const labels: string[] = [];
    for (const [i, desk] of desks.entries()) {
      await eventually(async () => {
        const label = mrnLabel((await desk.get<Patient>('patients', registered[i]!.id))!);
        expect(label).toMatch(/^MRN-\d+$/);
        labels[i] = label;
      });
    }
    expect(new Set(labels).size).toBe(2);
  });
});
