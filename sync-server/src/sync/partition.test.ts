/**
 * A randomized partition test (docs/architecture.md §4): four devices do random
 * front-desk work against a real server while each drops off the network and
 * comes back at random. After everyone heals, the replicas must agree with the
 * server and the domain's promises must hold.
 *
 * Seeded and reproducible: a failure prints its seed. CI runs the fixed seeds
 * below; a longer run is
 *   PARTITION_SEEDS=1,2,3,4,5,6,7,8 PARTITION_STEPS=80 npx vitest run sync-server/src/sync/partition.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionNames, orderQueue, type Appointment, type Patient, type QueueEntry } from '@medisync/shared/domain';
import { seededRandom } from '#seed/demo-clinic';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { enrolledDevice } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite, serverDump } from '#testing/fixtures';

const SEEDS = (process.env.PARTITION_SEEDS ?? '11,29').split(',').map(Number);
const STEPS = Number(process.env.PARTITION_STEPS ?? 30);
const DEVICES = 4;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('randomized partitions', () => {
  for (const seed of SEEDS) {
    it(
      `seed ${seed}: after healing, replicas equal the server and no check-in, ticket or conflict is lost`,
      { timeout: 300_000 },
      async () => {
        const random = seededRandom(seed);
        const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
        const { site, provider } = await seedSite(server.db, `Partition ${seed}`);
        const devices = await Promise.all(
          Array.from({ length: DEVICES }, async (_, i) =>
            SimulatedDevice.start({
              ...(await enrolledDevice(server, site.id, 'desk', `p${seed}-d${i}`)),
              serverPort: server.port,
            }),
          ),
        );
        try {
          for (const device of devices) {
            await eventually(async () => expect(await device.get('sites', site.id)).not.toBeNull());
            await device.refillTickets(site.id);
          }
          const patients: Patient[] = [];
          const appointments: Appointment[] = [];
          const queueEntries: QueueEntry[] = [];
          let wentOffline = 0;
          const checkIns: { device: string; appointmentId: string; queueEntryId: string }[] = [];
          const day = new Date();
          day.setUTCHours(8, 0, 0, 0);

          const act = async (device: SimulatedDevice) => {
            const roll = random();
            const mine = <T extends { id: string }>(list: T[]) => pick(list);
            if (roll < 0.18 || patients.length === 0) {
              // Sometimes the same person registered twice, as two desks would offline.
              const twin = random() < 0.25 ? pick(patients) : undefined;
              const fields = twin
                ? newPatient(site.id, { familyName: twin.familyName, dob: twin.dob })
                : newPatient(site.id);
              patients.push(await device.create<Patient>('patients', fields));
            } else if (roll < 0.38) {
              const patient = mine(patients)!;
              // A small grid of slots, so devices book the same slot now and then.
              const start = new Date(day.getTime() + Math.floor(random() * 12) * 20 * 60_000);
              appointments.push(
                await device.create<Appointment>(
                  'appointments',
                  newAppointment(site.id, patient.id, provider.id, start),
                ),
              );
            } else if (roll < 0.55) {
              const appointment = mine(appointments);
              if (!appointment || !(await device.get('appointments', appointment.id))) return;
              const checkedIn = await device
                .transition<Appointment>('appointments', appointment.id, 'checked-in')
                .catch(() => null);
              if (!checkedIn) return;
              const ticketCode = await device.issueTicket(site.id);
              const entry = await device.create<QueueEntry>('queueEntries', {
                id: crypto.randomUUID(),
                siteId: site.id,
                appointmentId: appointment.id,
                patientId: appointment.patientId,
                queue: 'reception',
                ticketCode,
                priority: random() < 0.1 ? 'urgent' : 'normal',
                status: 'waiting',
                checkedInAt: new Date().toISOString(),
                roomId: null,
              });
              queueEntries.push(entry);
              checkIns.push({ device: device.deviceId, appointmentId: appointment.id, queueEntryId: entry.id });
            } else if (roll < 0.65) {
              const appointment = mine(appointments);
              if (!appointment || !(await device.get('appointments', appointment.id))) return;
              await device
                .transition('appointments', appointment.id, random() < 0.5 ? 'cancelled' : 'noshow')
                .catch(() => null);
            } else if (roll < 0.88) {
              const entry = mine(queueEntries);
              if (!entry || !(await device.get('queueEntries', entry.id))) return;
              const to = pick(['called', 'in-room', 'done', 'no-show', 'waiting'] as const)!;
              await device.transition('queueEntries', entry.id, to).catch(() => null);
            } else {
              const patient = mine(patients)!;
              if (!(await device.get('patients', patient.id))) return;
              await device.change('patients', patient.id, {
                phone: `+1 555 ${String(Math.floor(random() * 9000) + 1000)}`,
              });
            }
          };

          for (let step = 0; step < STEPS; step++) {
            for (const device of devices) {
              if (random() < 0.15) {
                if (device.proxy.isCut) device.goOnline();
                else {
                  device.goOffline();
                  wentOffline += 1;
                }
              }
              await act(device);
            }
          }

          // The run has to have exercised what it checks.
          expect(checkIns.length, `seed ${seed}`).toBeGreaterThan(0);
          expect(wentOffline, `seed ${seed}`).toBeGreaterThan(0);

          for (const device of devices) device.goOnline();
          await eventually(
            async () => {
              const truth = await serverDump(server.db, site.id, collectionNames);
              for (const device of devices)
                expect(await device.dump(), `seed ${seed}: ${device.deviceId}`).toEqual(truth);
            },
            120_000,
            300,
          );

          const dump = await serverDump(server.db, site.id, collectionNames);
          const stored = {
            appointments: dump.appointments!.map((d) => JSON.parse(d) as Appointment),
            queueEntries: dump.queueEntries!.map((d) => JSON.parse(d) as QueueEntry),
            patients: dump.patients!.map((d) => JSON.parse(d) as Patient),
          };
          const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((r) => [r.id, r]));
          const appointmentsById = byId(stored.appointments);
          const entriesById = byId(stored.queueEntries);

          // Every check-in ever made is there: its queue entry, and its event in the appointment's log.
          for (const checkIn of checkIns) {
            expect(entriesById.has(checkIn.queueEntryId), `seed ${seed}`).toBe(true);
            const log = appointmentsById.get(checkIn.appointmentId)!.statusLog;
            expect(
              log.some((e) => e.to === 'checked-in'),
              `seed ${seed}`,
            ).toBe(true);
          }
          expect(stored.queueEntries).toHaveLength(queueEntries.length);

          // No ticket code repeats.
          const codes = stored.queueEntries.map((e) => e.ticketCode);
          expect(new Set(codes).size, `seed ${seed}: ${codes.join(' ')}`).toBe(codes.length);

          // The queue order is the same on every device.
          const orders = await Promise.all(
            devices.map(async (device) => {
              const replica = await device.dump();
              const entries = replica.queueEntries.map((d) => JSON.parse(d) as QueueEntry);
              const appts = new Map(
                replica.appointments.map((d) => JSON.parse(d) as Appointment).map((a) => [a.id, a]),
              );
              return orderQueue(entries, { appointmentsById: appts }).map((e) => e.ticketCode);
            }),
          );
          for (const order of orders) expect(order).toEqual(orders[0]);

          // Every clash only the server could see is flagged on at least one side.
          const holding = stored.appointments.filter((a) =>
            ['booked', 'checked-in', 'arrived', 'fulfilled'].includes(a.status),
          );
          for (const a of holding) {
            for (const b of holding) {
              if (a.id >= b.id || a.providerId !== b.providerId || !(a.start < b.end && b.start < a.end)) continue;
              const flagged = a.attention[`overlapping-booking:${b.id}`] ?? b.attention[`overlapping-booking:${a.id}`];
              expect(flagged, `seed ${seed}: ${a.id} and ${b.id} overlap`).toBeDefined();
            }
          }
          for (const p of stored.patients) {
            for (const q of stored.patients) {
              if (p.id >= q.id || p.familyName.toLowerCase() !== q.familyName.toLowerCase() || p.dob !== q.dob)
                continue;
              const flagged =
                p.attention[`probable-duplicate-patient:${q.id}`] ?? q.attention[`probable-duplicate-patient:${p.id}`];
              expect(flagged, `seed ${seed}: patients ${p.id} and ${q.id}`).toBeDefined();
            }
          }
        } finally {
          await Promise.all(devices.map((d) => d.stop()));
        }
      },
    );
  }
});
