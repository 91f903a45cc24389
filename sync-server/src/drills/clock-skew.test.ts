import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHlc, type Appointment, type Patient } from '@medisync/shared/domain';
import { enrolledDevice } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { expectReplicasEqualServer } from './converged.js';

/**
 * Drill: desk PCs whose clocks are two hours off, one ahead and one behind.
 * Every write carries a hybrid logical clock (docs/architecture.md §2.2): an
 * edit made after seeing another one wins over it whatever the wall clocks
 * say, concurrent edits of different fields both stay, and a visit's status
 * steps replay in the order they were made.
 */
const SKEWED_CLOCK = fileURLToPath(new URL('./skewed-clock.mjs', import.meta.url));
const TWO_HOURS = 2 * 3_600_000;
let server: TestServer;
const devices: SimulatedDevice[] = [];

/** A desk device whose process reads a wall clock `skewMs` off. */
async function skewedDesk(siteId: string, skewMs: number): Promise<SimulatedDevice> {
  const saved = { options: process.env.NODE_OPTIONS, skew: process.env.MEDISYNC_CLOCK_SKEW_MS };
  // The device process inherits the environment when it is forked, inside start().
  process.env.NODE_OPTIONS = `${saved.options ?? ''} --import=${SKEWED_CLOCK}`.trim();
  process.env.MEDISYNC_CLOCK_SKEW_MS = String(skewMs);
  try {
    return await SimulatedDevice.start({ ...(await enrolledDevice(server, siteId)), serverPort: server.port });
  } finally {
    for (const [name, value] of [
      ['NODE_OPTIONS', saved.options],
      ['MEDISYNC_CLOCK_SKEW_MS', saved.skew],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await server?.close();
});

describe('drill: device clocks two hours off', () => {
  it('later edits win, concurrent ones merge, status steps keep their order, and every replica agrees', async () => {
    const { site, provider } = await seedSite(server.db);
    const ahead = await skewedDesk(site.id, TWO_HOURS);
    const behind = await skewedDesk(site.id, -TWO_HOURS);
    devices.push(ahead, behind);
    // Registered by the device ahead; edited after that by the one behind, four hours "earlier".
    const patient = await ahead.create<Patient>('patients', newPatient(site.id, { familyName: 'Skew' }));
    expect(decodeHlc(patient.clocks.familyName!).wall).toBeGreaterThan(Date.now() + TWO_HOURS - 60_000);
    await eventually(async () => expect(await behind.get('patients', patient.id)).not.toBeNull());
    await behind.change('patients', patient.id, { phone: '+1 555 0001' });
    await eventually(async () => expect((await ahead.get<Patient>('patients', patient.id))?.phone).toBe('+1 555 0001'));
    // Then each changes a different field without waiting for the other: both stay.
    await Promise.all([
      ahead.change('patients', patient.id, { email: 'ahead@example.org' }),
      behind.change('patients', patient.id, { preferredLanguage: 'es' }),
    ]);

    // A visit taken through its day by both desks in turn.
    const start = new Date(Date.UTC(2031, 0, 6, 14, 0));
    const visit = await ahead.create<Appointment>(
      'appointments',
      newAppointment(site.id, patient.id, provider.id, start),
    );
    const steps: [SimulatedDevice, string][] = [
      [behind, 'checked-in'],
      [ahead, 'arrived'],
      [behind, 'fulfilled'],
    ];
    for (const [i, [device, to]] of steps.entries()) {
      // Each desk acts on what it sees: the visit with every step before this one.
      await eventually(async () =>
        expect((await device.get<Appointment>('appointments', visit.id))?.statusLog.length).toBe(i + 1),
      );
      await device.transition('appointments', visit.id, to);
    }

    await expectReplicasEqualServer(server.db, site.id, devices);
    const [stored] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [patient.id]);
    expect(stored!.doc).toMatchObject({ phone: '+1 555 0001', email: 'ahead@example.org', preferredLanguage: 'es' });
    const [appointment] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      visit.id,
    ]);
    expect(appointment!.doc.status).toBe('fulfilled');
    expect(appointment!.doc.statusLog.map((e) => e.to)).toEqual(['booked', 'checked-in', 'arrived', 'fulfilled']);
    expect(Object.keys(appointment!.doc.attention)).toEqual([]);
  });
});
