import type { Patient } from '@medisync/shared/domain';
import { enrolledDevice } from '#auth/testing';
import type { Db } from '#db/db';
import type { TokenService } from '#auth/tokens';
import { newPatient } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';

/** `count` desk devices of a site, each its own process, reaching the server at `port`, pushing in small pages. */
export async function startDesks(
  server: { db: Db; tokens: TokenService },
  siteId: string,
  port: number,
  count = 2,
): Promise<SimulatedDevice[]> {
  return Promise.all(
    Array.from({ length: count }, async () =>
      SimulatedDevice.start({ ...(await enrolledDevice(server, siteId)), serverPort: port, batchSize: 5 }),
    ),
  );
}

/**
 * Front-desk work for a drill: each device registers `perDevice` patients one
 * after another, as fast as its replica takes them (pushes run behind). The
 * ids go into `created`, the list of what must end up everywhere.
 */
export async function registerPatients(
  devices: readonly SimulatedDevice[],
  siteId: string,
  perDevice: number,
  created: string[],
): Promise<void> {
  await Promise.all(
    devices.map(async (device) => {
      for (let i = 0; i < perDevice; i++) {
        created.push((await device.create<Patient>('patients', newPatient(siteId))).id);
      }
    }),
  );
}
