import { createRecord, HybridClock, newId, type Room } from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { api, enrolledDevice } from '#auth/testing';
import { newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { writeRecords } from '#sync/store';

/**
 * Equipment under maintenance removes the slots of the visits that need it, on
 * the server (REST free slots and bookings) and on a desk that has gone offline
 * (its booking rule over its replica), alike (docs/architecture.md §9.8).
 */

let server: TestServer;
let desk: SimulatedDevice;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
let ecgRoom: Room;
const clock = new HybridClock('fixtures-facility');
const admin = { id: 'fixtures', role: 'server' as const, source: 'server' as const };
// A fixed day ahead, at fixed UTC times: the schedule runs 09:00-12:00 every day in 15-minute slots.
const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
const at = (time: string) => `${day}T${time}:00.000Z`;
const starts = (slots: { start: string }[]) => slots.map((s) => s.start.slice(11, 16));

beforeAll(async () => {
  server = await startTestServer();
  site = await seedSite(server.db);
  await seedSchedule(server.db, site.site.id, site.provider.id);
  key = await apiClientKey(server.db, site.site.id);
  const room = (name: string, equipment: string[]) =>
    createRecord(
      'rooms',
      { id: newId(), siteId: site.site.id, name, kind: 'exam', equipment, status: 'available' },
      clock,
      admin,
    );
  ecgRoom = room('Exam 2', ['Exam table', 'ECG machine']);
  await writeRecords(server.db, 'rooms', [room('Exam 1', ['Exam table']), ecgRoom]);
  desk = await SimulatedDevice.start({ ...(await enrolledDevice(server, site.site.id)), serverPort: server.port });
});
afterAll(async () => {
  await desk?.stop();
  await server?.close();
});

describe('equipment maintenance and free slots', () => {
  it('takes the ECG slots of the maintenance window away on the server and on an offline desk', async () => {
    const slotsOnDesk = (visitType: string) =>
      desk.freeSlots({ siteId: site.site.id, providerId: site.provider.id, date: day, visitType });
    const slotsOnServer = async (visitType: string) =>
      (
        await api<{ data: { start: string }[] }>(
          server.url,
          `/api/v1/providers/${site.provider.id}/slots?date=${day}&visitType=${visitType}`,
          { token: key },
        )
      ).body.data;
    await desk.awaitInSync();
    expect(starts(await slotsOnDesk('ecg'))).toContain('10:15');

    // An admin at the desk plans the ECG machine's service from 10:00 to 11:00; it syncs, then the desk goes offline.
    await desk.change('rooms', ecgRoom.id, {
      equipmentState: [
        {
          name: 'ECG machine',
          status: 'in-service',
          maintenance: [{ start: at('10:00'), end: at('11:00'), reason: 'Calibration' }],
        },
      ],
    });
    await desk.awaitInSync();
    desk.goOffline();

    const expected = ['09:00', '09:15', '09:30', '09:45', '11:00', '11:15', '11:30', '11:45'];
    expect(starts(await slotsOnDesk('ecg'))).toEqual(expected);
    expect(starts(await slotsOnServer('ecg'))).toEqual(expected);
    // Visits that need no ECG keep every slot, on both.
    expect(await slotsOnDesk('follow-up')).toHaveLength(12);
    expect(await slotsOnServer('follow-up')).toHaveLength(12);

    const patient = createRecord('patients', newPatient(site.site.id), clock, admin);
    await writeRecords(server.db, 'patients', [patient]);
    const book = (visitType: string, time: string) =>
      api<{ error?: { code: string } }>(server.url, '/api/v1/appointments', {
        token: key,
        body: {
          patientId: patient.id,
          providerId: site.provider.id,
          start: at(time),
          end: at(time === '10:15' ? '10:30' : '11:15'),
          visitType,
        },
      });
    const refused = await book('ecg', '10:15');
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('no-room');
    expect((await book('ecg', '11:00')).status).toBe(201);
    // The one ECG room is now held at 11:00, on the server and, once it is back online, on the desk.
    expect(starts(await slotsOnServer('ecg'))).not.toContain('11:00');
    desk.goOnline();
    await expect.poll(async () => starts(await slotsOnDesk('ecg')), { timeout: 20_000 }).not.toContain('11:00');
  });
});
