import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { enrolledDevice } from '#auth/testing';
import { eventually, newPatient, seedSite } from '#testing/fixtures';

/**
 * Several stateless server instances share one PostgreSQL (docs/architecture.md §7.4):
 * a change pushed to one instance reaches devices connected to another live,
 * through socket.io's PostgreSQL adapter.
 */
let first: TestServer;
let second: TestServer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({ databaseUrl: first.databaseUrl, tokenSecret: first.config.tokenSecret! });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await second?.close();
  await first?.close();
});

describe('two server instances on one database', () => {
  it('a change pushed to one instance reaches a device on the other through the live stream', async () => {
    const { site } = await seedSite(first.db);
    const [a, b] = await Promise.all([
      SimulatedDevice.start({ ...(await enrolledDevice(first, site.id)), serverPort: first.port }),
      SimulatedDevice.start({ ...(await enrolledDevice(first, site.id)), serverPort: second.port }),
    ]);
    devices.push(a, b);
    const patient = await a.create<Patient>('patients', newPatient(site.id));
    await eventually(async () => expect(await b.get('patients', patient.id)).not.toBeNull());

    await a.change('patients', patient.id, { phone: '+1 555 0177' });
    // Devices never poll; only the instance-to-instance live event can bring this.
    await eventually(
      async () => expect((await b.get<Patient>('patients', patient.id))?.phone).toBe('+1 555 0177'),
      5000,
      25,
    );
  });
});
