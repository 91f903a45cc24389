import { filter, firstValueFrom } from 'rxjs';
import { removeRxDatabase } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectionNames, createRecord, HybridClock, newId, type Patient } from '@medisync/shared/domain';
import {
  openDeviceDatabase,
  startSync,
  type PullResponse,
  type PushResponse,
  type SyncState,
} from '@medisync/shared/sync';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SimulatedDevice } from '#testing/simulated-device';
import { enrolledDevice } from '#auth/testing';
import { deviceToken, eventually, newAppointment, newPatient, seedSite, serverDump } from '#testing/fixtures';
import { writeRecords } from '#sync/store';

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

async function startDevices(siteId: string, count: number) {
  const started = await Promise.all(
    Array.from({ length: count }, async (_, i) =>
      SimulatedDevice.start({
        // The device's own enrollment: what it records is made in its name.
        ...(await enrolledDevice(server, siteId, 'desk', `device ${i}`)),
        serverPort: server.port,
      }),
    ),
  );
  devices.push(...started);
  return started;
}

async function expectConverged(siteId: string, replicas: SimulatedDevice[]) {
  await eventually(async () => {
    const truth = await serverDump(server.db, siteId, collectionNames);
    for (const device of replicas) expect(await device.dump()).toEqual(truth);
  });
}

async function http<T>(path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const serverActor = { id: 'test-integration', role: 'server' as const, source: 'server' as const };

describe('replication between devices and the server', () => {
  it('three devices writing at once all end up equal to the server, record for record', async () => {
    const { site, provider } = await seedSite(server.db);
    const [a, b, c] = await startDevices(site.id, 3);
    const shared = await a!.create<Patient>('patients', newPatient(site.id));
    await eventually(async () => expect(await c!.get('patients', shared.id)).not.toBeNull());

    await Promise.all(
      [a!, b!, c!].map(async (device, i) => {
        for (let n = 0; n < 8; n++) {
          const patient = await device.create<Patient>('patients', newPatient(site.id));
          await device.create(
            'appointments',
            newAppointment(site.id, patient.id, provider.id, new Date(Date.UTC(2026, 10, 23, 8 + i, n * 5))),
          );
        }
      }),
    );
    // Concurrent edits of one record, each to a different field.
    await Promise.all([
      a!.change('patients', shared.id, { phone: '+1 555 0111' }),
      b!.change('patients', shared.id, { email: 'shared@example.org' }),
      c!.change('patients', shared.id, { preferredLanguage: 'es' }),
    ]);

    await expectConverged(site.id, [a!, b!, c!]);
    const onServer = (await serverDump(server.db, site.id, ['patients'])).patients!.map(
      (p) => JSON.parse(p) as Patient,
    );
    expect(onServer).toHaveLength(25);
    expect(onServer.find((p) => p.id === shared.id)).toMatchObject({
      phone: '+1 555 0111',
      email: 'shared@example.org',
      preferredLanguage: 'es',
    });
    expect(onServer.every((p) => p.mrn !== null)).toBe(true);
  });

  it('a device cut off from the server keeps all 50 offline changes and converges after reconnecting', async () => {
    const { site, provider } = await seedSite(server.db);
    const [a, b, c] = await startDevices(site.id, 3);
    const existing: Patient[] = [];
    for (let i = 0; i < 30; i++) existing.push(await b!.create<Patient>('patients', newPatient(site.id)));
    await expectConverged(site.id, [a!, b!, c!]);

    a!.goOffline();
    await eventually(async () => expect((await a!.state()).status).toBe('offline'));
    const created: Patient[] = [];
    for (let i = 0; i < 20; i++)
      created.push(await a!.create<Patient>('patients', newPatient(site.id, { familyName: `Offline${i}` })));
    for (const [i, patient] of existing.entries()) await a!.change('patients', patient.id, { givenName: `Edited${i}` });
    // Meanwhile the others keep working on other fields and records.
    for (const patient of existing.slice(0, 10)) await b!.change('patients', patient.id, { phone: '+1 555 0199' });
    await c!.create('appointments', newAppointment(site.id, existing[0]!.id, provider.id, new Date()));

    const offline = await a!.state();
    expect(offline.pending).toBe(50);
    expect(offline.offlineSince).not.toBeNull();

    a!.goOnline();
    await expectConverged(site.id, [a!, b!, c!]);
    await eventually(async () => expect((await a!.state()).pending).toBe(0));
    const patients = new Map(
      (await serverDump(server.db, site.id, ['patients'])).patients!.map((p) => {
        const patient = JSON.parse(p) as Patient;
        return [patient.id, patient];
      }),
    );
    for (const patient of created) expect(patients.get(patient.id)?.familyName).toBe(patient.familyName);
    for (const [i, patient] of existing.entries()) {
      expect(patients.get(patient.id)?.givenName).toBe(`Edited${i}`);
      if (i < 10) expect(patients.get(patient.id)?.phone).toBe('+1 555 0199');
    }
  });

  it('twenty concurrent pushers never make a puller in small pages skip a row', async () => {
    const { site } = await seedSite(server.db);
    const token = await deviceToken(server, site.id);
    const expected = new Set<string>();
    const seen = new Set<string>();
    let pushing = true;

    const puller = (async () => {
      let checkpoint: unknown;
      for (;;) {
        // Only a page asked for after the last push answered is sure to see it: one asked for
        // before may be read in a snapshot taken before that push committed.
        const everyPushAnswered = !pushing;
        const query = new URLSearchParams({
          limit: '7',
          ...(checkpoint ? { checkpoint: JSON.stringify(checkpoint) } : {}),
        });
        const page = await http<PullResponse>(`/sync/patients/pull?${query}`, token);
        for (const doc of page.body.documents) seen.add(String(doc.id));
        checkpoint = page.body.checkpoint;
        if (page.body.documents.length < 7) {
          if (everyPushAnswered) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    })();

    await Promise.all(
      Array.from({ length: 20 }, async (_, pusher) => {
        const clock = new HybridClock(`pusher-${pusher}`);
        for (let batch = 0; batch < 10; batch++) {
          const rows = Array.from({ length: 5 }, () => {
            const record = createRecord('patients', newPatient(site.id), clock, serverActor);
            expected.add(record.id);
            return { newDocumentState: record };
          });
          const response = await http<PushResponse>('/sync/patients/push', token, rows);
          expect(response.status).toBe(200);
          expect(response.body.rejected).toEqual([]);
        }
      }),
    );
    pushing = false;
    await puller;
    expect(expected.size).toBe(1000);
    expect([...expected].filter((id) => !seen.has(id))).toEqual([]);
  });

  it('the same push delivered twice changes nothing the second time', async () => {
    const { site } = await seedSite(server.db);
    const token = await deviceToken(server, site.id);
    const clock = new HybridClock('twice');
    const rows = [0, 1].map(() => ({
      newDocumentState: createRecord('patients', newPatient(site.id), clock, serverActor),
    }));
    const first = await http<PushResponse>('/sync/patients/push', token, rows);
    expect(first.status).toBe(200);
    const before = await server.db.query(
      'SELECT id, seq, doc FROM patients WHERE site_ids @> ARRAY[$1::uuid] ORDER BY id',
      [site.id],
    );
    const second = await http<PushResponse>('/sync/patients/push', token, rows);
    expect(second.status).toBe(200);
    expect(second.body.rejected).toEqual([]);
    const after = await server.db.query(
      'SELECT id, seq, doc FROM patients WHERE site_ids @> ARRAY[$1::uuid] ORDER BY id',
      [site.id],
    );
    expect(after).toEqual(before);
    expect(after).toHaveLength(2);
  });

  it('clients reconnect by themselves after the server restarts, resync and converge', async () => {
    const { site } = await seedSite(server.db);
    const [a, b] = await startDevices(site.id, 2);
    await a!.create('patients', newPatient(site.id));
    await expectConverged(site.id, [a!, b!]);

    await server.restart(async () => {
      await eventually(async () => expect((await a!.state()).status).toBe('offline'));
      await a!.create('patients', newPatient(site.id, { familyName: 'DuringOutage' }));
    });

    await b!.create('patients', newPatient(site.id, { familyName: 'AfterRestart' }));
    await expectConverged(site.id, [a!, b!]);
    const families = (await serverDump(server.db, site.id, ['patients'])).patients!.map(
      (p) => (JSON.parse(p) as Patient).familyName,
    );
    expect(families).toEqual(expect.arrayContaining(['DuringOutage', 'AfterRestart']));
  });

  it('rejects one invalid row with the field named while storing the valid rows of the batch', async () => {
    const { site } = await seedSite(server.db);
    const token = await deviceToken(server, site.id);
    const clock = new HybridClock('mixed');
    const good = [0, 1].map(() => createRecord('patients', newPatient(site.id), clock, serverActor));
    const bad = { ...createRecord('patients', newPatient(site.id), clock, serverActor), dob: '1984-13-45' };
    const response = await http<PushResponse>('/sync/patients/push', token, [
      { newDocumentState: good[0] },
      { newDocumentState: bad },
      { newDocumentState: good[1] },
    ]);
    expect(response.status).toBe(200);
    expect(response.body.rejected).toHaveLength(1);
    expect(response.body.rejected[0]!.id).toBe(bad.id);
    expect(response.body.rejected[0]!.error.details.issues?.map((i) => i.path)).toEqual(['dob']);
    expect(response.body.rejected[0]!.error.message).toMatch(/dob/);
    const stored = await server.db.query<{ id: string }>('SELECT id FROM patients WHERE id = ANY($1::uuid[])', [
      [...good, bad].map((r) => r.id),
    ]);
    expect(stored.map((r) => r.id).sort()).toEqual(good.map((r) => r.id).sort());
  });

  it('a change on one device reaches another through the live stream', async () => {
    const { site } = await seedSite(server.db);
    const [a, b] = await startDevices(site.id, 2);
    const patient = await a!.create<Patient>('patients', newPatient(site.id));
    await eventually(async () => expect(await b!.get('patients', patient.id)).not.toBeNull());

    await a!.change('patients', patient.id, { phone: '+1 555 0142' });
    // Devices never poll: without the live stream this would wait forever. How fast it arrives is
    // measured by `npm run bench` (live propagation), not here.
    await eventually(async () => expect((await b!.get<Patient>('patients', patient.id))?.phone).toBe('+1 555 0142'));
  });

  it('a device still pulls a change its live stream only hinted at while the device was pushing', async () => {
    // RxDB holds live events back while the collection pushes. Released together, a RESYNC
    // behind documents used to be forgotten: with no later change, the device never pulled.
    const { site, provider } = await seedSite(server.db);
    const elsewhere = await seedSite(server.db, 'Another clinic');
    const [desk] = await startDevices(site.id, 1);
    const clock = new HybridClock('hinted');
    const patient = createRecord('patients', newPatient(site.id), clock, serverActor);
    await writeRecords(server.db, 'patients', [patient]);
    await eventually(async () => expect(await desk!.get('patients', patient.id)).not.toBeNull());
    const at = (i: number) => new Date(Date.UTC(2026, 11, 1, 8) + i * 20 * 60_000);
    const booking = (i: number) =>
      createRecord('appointments', newAppointment(site.id, patient.id, provider.id, at(i)), clock, serverActor);

    // Every request of the device waits at its authentication while the devices table is locked.
    const lock = await server.db.pool.connect();
    let first: ReturnType<typeof booking>;
    let many: ReturnType<typeof booking>[];
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE devices IN ACCESS EXCLUSIVE MODE');
      // A booking at another site: the server refuses it, so it brings no live change of its own.
      await desk!.create('appointments', newAppointment(elsewhere.site.id, patient.id, elsewhere.provider.id, at(0)));
      await eventually(async () => {
        const { rows } = await lock.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        expect(rows[0]!.n).toBeGreaterThan(0);
      });
      first = booking(1);
      await writeRecords(server.db, 'appointments', [first]);
      // Sent to the device with its documents (and audited as read) before the next change commits.
      await eventually(async () => {
        const { rows } = await lock.query(
          `SELECT 1 FROM audit_events WHERE via = 'sync.live' AND $1::uuid = ANY(record_ids)`,
          [first.id],
        );
        expect(rows).toHaveLength(1);
      });
      // Over a hundred records: the live stream only says to pull.
      many = Array.from({ length: 101 }, (_, i) => booking(i + 2));
      await writeRecords(server.db, 'appointments', many);
      // A hint is not audited, so nothing tells when it has arrived: it goes out at once, and half
      // a second is ample. Were it late, the device would still be pushing and the test could only pass.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    await eventually(async () => {
      for (const appointment of [first, ...many]) {
        expect(await desk!.get('appointments', appointment.id), appointment.id).not.toBeNull();
      }
    }, 15_000);
  });

  it('a new device pulls today’s working set on a page of its own, before any history, and then gets everything', async () => {
    const { site, provider } = await seedSite(server.db);
    const clock = new HybridClock('working-set');
    const history = Array.from({ length: 250 }, () =>
      createRecord('patients', newPatient(site.id), clock, serverActor),
    );
    await writeRecords(server.db, 'patients', history);
    // Today's patients written last: in seq order they would follow the whole history.
    const todays = Array.from({ length: 5 }, () => createRecord('patients', newPatient(site.id), clock, serverActor));
    await writeRecords(server.db, 'patients', todays);
    // The site keeps UTC: noon UTC is today there, whatever the hour.
    const today = new Date(new Date().setUTCHours(12, 0, 0, 0));
    await writeRecords(
      server.db,
      'appointments',
      todays.map((p) =>
        createRecord('appointments', newAppointment(site.id, p.id, provider.id, today), clock, serverActor),
      ),
    );
    const enrolled = await enrolledDevice(server, site.id, 'desk');
    const device = await SimulatedDevice.start({ ...enrolled, serverPort: server.port, batchSize: 100 });
    devices.push(device);

    const held = await device.heldWhenFirstSyncComplete();
    expect(held.patients).toBe(255);
    // Every pull of patient data is in the audit log with the ids it sent, in order.
    const reads = await server.db.query<{ record_ids: string[] }>(
      `SELECT record_ids FROM audit_events
        WHERE actor_id = $1 AND collection = 'patients' AND via = 'sync.pull' AND record_count > 0 ORDER BY id`,
      [enrolled.deviceId],
    );
    expect([...reads[0]!.record_ids].sort()).toEqual(todays.map((p) => p.id).sort());
    await expectConverged(site.id, [device]);
  });

  it('a device says its first sync is complete only once every record is in its own database', async () => {
    const { site } = await seedSite(server.db);
    const clock = new HybridClock('history');
    const history = Array.from({ length: 1_500 }, () =>
      createRecord('patients', newPatient(site.id), clock, serverActor),
    );
    await writeRecords(server.db, 'patients', history);
    const device = await SimulatedDevice.start({
      ...(await enrolledDevice(server, site.id, 'desk')),
      serverPort: server.port,
      batchSize: 100,
    });
    devices.push(device);

    // A merge, an undo, the desk's "first sync done" all trust this flag to mean the data is here,
    // not merely received: pages still waiting to be written would be missed.
    const held = await device.heldWhenFirstSyncComplete();
    const truth = await serverDump(server.db, site.id, collectionNames);
    for (const name of Object.keys(held) as (keyof typeof held)[]) {
      expect.soft(held[name], name).toBe(truth[name]?.length ?? 0);
    }
    expect(held.patients).toBeGreaterThanOrEqual(1_500);
  });

  it('a new device keeps the first pulls it sent before its live connection came up, and never shows offline', async () => {
    const { site } = await seedSite(server.db);
    await writeRecords(server.db, 'patients', [
      createRecord('patients', newPatient(site.id), new HybridClock('first'), serverActor),
    ]);
    const { deviceId, token } = await enrolledDevice(server, site.id, 'desk');
    // A pull of patient data records its read in the statement that reads the page: while the audit
    // table is locked it waits, as a slow first page on a busy server would, and the live connection comes up meanwhile.
    const lock = await server.db.pool.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE audit_events IN EXCLUSIVE MODE');
    const storage = getRxStorageMemory();
    const db = await openDeviceDatabase({ name: `first-connect-${newId()}`, storage, deviceId, role: 'desk' });
    const sync = startSync(db, { serverUrl: server.url, getToken: () => token });
    const seen: SyncState[] = [];
    const watching = sync.state$.subscribe((state) => seen.push(state));
    try {
      await eventually(() => expect(server.io.of('/').sockets.size).toBe(1));
      await lock.query('COMMIT');
      await firstValueFrom(sync.state$.pipe(filter((state) => state.firstSync.complete)));
      expect(seen.filter((state) => state.status === 'offline').map((state) => state.lastError)).toEqual([]);
      expect(await db.rx.patients.count().exec()).toBe(1);
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
      watching.unsubscribe();
      await sync.stop();
      await db.close();
      await removeRxDatabase(db.rx.name, storage);
    }
  });
});
