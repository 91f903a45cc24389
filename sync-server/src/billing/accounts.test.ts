import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accountIdOf,
  createRecord,
  HybridClock,
  newAccount,
  newId,
  type AccountEntry,
  type Actor,
  type Patient,
  type QueueEntry,
} from '@medisync/shared/domain';
import type { PushResponse } from '@medisync/shared/sync';
import { apiClientKey } from '#api-clients/testing';
import { api, enrolledDevice } from '#auth/testing';
import { eventually, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';

let server: TestServer;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await server?.close();
});

async function device(siteId: string, role: 'desk' | 'kiosk') {
  const enrolled = await enrolledDevice(server, siteId, role);
  const started = await SimulatedDevice.start({
    deviceId: enrolled.deviceId,
    serverPort: server.port,
    token: enrolled.token,
    role,
  });
  cleanup.push(() => started.stop());
  await eventually(async () => expect((await started.state()).firstSync.complete).toBe(true));
  return started;
}

/** The ids of the ledger records a device holds. */
async function ledgerIds(held: SimulatedDevice): Promise<string[]> {
  return (await held.dump()).ledger.map((json) => (JSON.parse(json) as { id: string }).id);
}

async function accountsOf(patientId: string): Promise<AccountEntry[]> {
  const rows = await server.db.query<{ doc: AccountEntry }>(
    `SELECT doc FROM ledger WHERE NOT deleted AND doc->>'kind' = 'account' AND doc->>'patientId' = $1`,
    [patientId],
  );
  return rows.map((r) => r.doc);
}

const clock = new HybridClock('accounts-test');
const deskActor: Actor = { id: 'accounts-test', role: 'desk', source: 'desk' };

async function push(token: string, collection: string, records: object[]) {
  const answer = await api<PushResponse>(server.url, `/sync/${collection}/push`, {
    token,
    body: records.map((newDocumentState) => ({ newDocumentState })),
  });
  expect(answer.status).toBe(200);
  expect(answer.body.rejected).toEqual([]);
}

describe('a billing account for every new patient', () => {
  it('is opened by the server for a kiosk walk-in, online or offline, and reaches the desks', async () => {
    const { site } = await seedSite(server.db, 'Accounts Clinic');
    const kiosk = await device(site.id, 'kiosk');
    const desk = await device(site.id, 'desk');

    const walkIn = async (familyName: string, ticketCode: string) => {
      const patient = await kiosk.create<Patient>('patients', newPatient(site.id, { familyName, phone: null }));
      await kiosk.create<QueueEntry>('queueEntries', {
        id: newId(),
        siteId: site.id,
        appointmentId: null,
        patientId: patient.id,
        queue: 'reception',
        ticketCode,
        priority: 'normal',
        status: 'waiting',
        checkedInAt: new Date().toISOString(),
        roomId: null,
      });
      return patient;
    };
    const online = await walkIn('Online Account', 'A-201');
    kiosk.goOffline();
    const offline = await walkIn('Offline Account', 'A-202');
    kiosk.goOnline();

    await eventually(async () => {
      for (const patient of [online, offline]) {
        expect(await accountsOf(patient.id)).toEqual([
          expect.objectContaining({ id: accountIdOf(patient.id), siteId: site.id, currency: 'usd' }),
        ]);
      }
      expect(await ledgerIds(desk)).toEqual(expect.arrayContaining([accountIdOf(online.id), accountIdOf(offline.id)]));
    });
    // The kiosk has no ledger at all, and nothing it sent was refused.
    expect(Object.keys(await kiosk.dump())).not.toContain('ledger');
    expect((await kiosk.state()).rejected).toEqual([]);
  });

  it('stays one account when the desk that registers the patient opens it too', async () => {
    const { site } = await seedSite(server.db, 'Desk Accounts Clinic');
    const desk = await device(site.id, 'desk');
    desk.goOffline();
    const patient = await desk.create<Patient>('patients', newPatient(site.id, { familyName: 'Deskmade' }));
    await desk.create<AccountEntry>('ledger', {
      id: accountIdOf(patient.id),
      kind: 'account',
      siteId: site.id,
      patientId: patient.id,
      currency: 'usd',
    } as never);
    desk.goOnline();

    await eventually(async () => {
      expect((await desk.state()).pending).toBe(0);
      expect(await accountsOf(patient.id)).toHaveLength(1);
    });
    expect((await desk.state()).rejected).toEqual([]);
    expect(await ledgerIds(desk)).toContain(accountIdOf(patient.id));
  });

  it('commits with the patient: it is there the moment the push or the API call is answered', async () => {
    const { site } = await seedSite(server.db, 'Committed Accounts Clinic');
    const kiosk = await enrolledDevice(server, site.id, 'kiosk');
    const walkIns = [1, 2, 3].map((i) =>
      createRecord('patients', newPatient(site.id, { familyName: `Walkin${i}`, phone: null }), clock, deskActor),
    );
    await push(kiosk.token, 'patients', walkIns);
    for (const patient of walkIns) {
      expect(await accountsOf(patient.id)).toEqual([
        expect.objectContaining({ id: accountIdOf(patient.id), siteId: site.id, currency: 'usd' }),
      ]);
    }

    const created = await api<{ id: string }>(server.url, '/api/v1/patients', {
      token: await apiClientKey(server.db, site.id),
      body: { givenName: 'Ana', familyName: 'Integrated', dob: '1990-01-02', sex: 'female' },
    });
    expect(created.status).toBe(201);
    expect(await accountsOf(created.body.id)).toEqual([expect.objectContaining({ id: accountIdOf(created.body.id) })]);
  });

  it('leaves an account the desk already pushed as it is', async () => {
    const { site } = await seedSite(server.db, 'Held Accounts Clinic');
    const desk = await enrolledDevice(server, site.id, 'desk');
    const patient = createRecord('patients', newPatient(site.id, { familyName: 'Heldfirst' }), clock, deskActor);
    await push(desk.token, 'ledger', [newAccount(patient, 'eur', clock, deskActor)]);
    const [before] = await server.db.query<{ seq: string }>('SELECT seq FROM ledger WHERE id = $1', [
      accountIdOf(patient.id),
    ]);

    await push(desk.token, 'patients', [patient]);
    expect(await accountsOf(patient.id)).toEqual([expect.objectContaining({ currency: 'eur' })]);
    const [after] = await server.db.query<{ seq: string }>('SELECT seq FROM ledger WHERE id = $1', [
      accountIdOf(patient.id),
    ]);
    expect(after!.seq).toBe(before!.seq);
  });
});
