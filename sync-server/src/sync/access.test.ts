import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  changeRecord,
  createRecord,
  dayRangeUtc,
  HybridClock,
  identityKey,
  kioskIntakeUpdate,
  localDateAt,
  newId,
  type Actor,
  type Appointment,
  type Patient,
  type QueueEntry,
  type Site,
} from '@medisync/shared/domain';
import { LIVE_CHANGE_EVENT, type LiveChange, type PullResponse, type PushResponse } from '@medisync/shared/sync';
import { api, enrolledDevice, signIn, staffUser } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { serverRules } from './rules.js';
import { writeRecords } from './store.js';

let server: TestServer;
const cleanup: (() => Promise<void> | void)[] = [];
const clock = new HybridClock('access-test');
const desk: Actor = { id: 'access-test', role: 'desk', source: 'desk' };

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await server?.close();
});

const SECRETS = {
  phone: '+1 555 0177',
  street: '12 Secret Lane',
  memberId: 'MEMBER-998877',
  notes: 'prefers the left arm for blood draws',
  dob: '1971-04-09',
  familyName: 'Zabrowski',
};

function noon(offsetDays: number): Date {
  const today = localDateAt(new Date(), 'UTC');
  return new Date(dayRangeUtc(today, 'UTC').start.getTime() + offsetDays * 86_400_000 + 12 * 3_600_000);
}

/** A clinic with one patient full of sensitive fields, booked yesterday, today and tomorrow, and waiting in the queue. */
async function clinic(name: string) {
  const { site, provider } = await seedSite(server.db, name);
  const room = createRecord(
    'rooms',
    { id: newId(), siteId: site.id, name: 'Room 3', kind: 'exam', equipment: [], status: 'available' },
    clock,
    desk,
  );
  const patient = createRecord(
    'patients',
    newPatient(site.id, {
      givenName: 'Maria',
      familyName: SECRETS.familyName,
      dob: SECRETS.dob,
      phone: SECRETS.phone,
      email: 'maria@example.org',
      address: {
        line1: SECRETS.street,
        line2: null,
        city: 'Springfield',
        region: null,
        postalCode: '12345',
        country: 'US',
      },
      insurance: { payer: 'Acme Health', memberId: SECRETS.memberId, groupNumber: null },
    }),
    clock,
    desk,
  );
  const appointment = (day: number) =>
    createRecord(
      'appointments',
      {
        ...newAppointment(site.id, patient.id, provider.id, noon(day)),
        notes: SECRETS.notes,
        copayCents: 2000,
        roomId: room.id,
      },
      clock,
      desk,
    );
  const [yesterday, today, tomorrow] = [appointment(-1), appointment(0), appointment(1)];
  const entry = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: site.id,
      appointmentId: today.id,
      patientId: patient.id,
      queue: 'reception',
      ticketCode: 'A-007',
      priority: 'normal',
      status: 'waiting',
      checkedInAt: new Date().toISOString(),
      roomId: room.id,
    },
    clock,
    desk,
  );
  await writeRecords(server.db, 'rooms', [room]);
  await writeRecords(server.db, 'patients', [patient], { rules: serverRules });
  await writeRecords(server.db, 'appointments', [yesterday, today, tomorrow]);
  await writeRecords(server.db, 'queueEntries', [entry]);
  const [stored] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [patient.id]);
  return { site, provider, room, patient: stored!.doc, yesterday, today, tomorrow, entry };
}

async function device(siteId: string, role: 'desk' | 'kiosk' | 'display') {
  const enrolled = await enrolledDevice(server, siteId, role);
  const simulated = await SimulatedDevice.start({
    deviceId: enrolled.deviceId,
    serverPort: server.port,
    token: enrolled.token,
    role,
    batchSize: 100,
  });
  cleanup.push(() => simulated.stop());
  return { ...enrolled, simulated };
}

async function settled(simulated: SimulatedDevice) {
  await eventually(async () => {
    const state = await simulated.state();
    expect(state.firstSync.complete).toBe(true);
    expect(state.pending).toBe(0);
  });
  await simulated.awaitInSync();
  return simulated.dump();
}

const parse = <T>(docs: string[] | undefined) => (docs ?? []).map((d) => JSON.parse(d) as T);

describe('a kiosk replica', () => {
  it('holds today’s appointments only, minimised: no phone, address, insurance, MRN, notes or birth date', async () => {
    const c = await clinic('Kiosk Clinic');
    const kiosk = await device(c.site.id, 'kiosk');
    const replica = await settled(kiosk.simulated);

    expect(Object.keys(replica).sort()).toEqual(['appointments', 'patients', 'providers', 'queueEntries', 'sites']);
    const appointments = parse<Record<string, unknown>>(replica.appointments);
    expect(appointments.map((a) => a.id)).toEqual([c.today.id]);
    expect(appointments[0]).toMatchObject({
      patientGivenName: 'Maria',
      patientFamilyInitial: 'Z',
      providerDisplayName: 'Dr. Test',
      identityKey: identityKey(SECRETS.familyName, SECRETS.dob),
      status: 'booked',
    });
    expect(replica.patients).toEqual([]);
    const entries = parse<Record<string, unknown>>(replica.queueEntries);
    expect(entries.map((e) => e.ticketCode)).toEqual(['A-007']);
    expect(entries[0]).not.toHaveProperty('patientId');

    const everything = JSON.stringify(replica);
    for (const secret of [...Object.values(SECRETS), c.patient.mrn!, 'Acme Health', 'maria@example.org', 'follow-up']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(c.yesterday.id);
    expect(everything).not.toContain(c.tomorrow.id);
  });

  it('checks a patient in, registers a walk-in and sends intake without ever holding more than it sent', async () => {
    const c = await clinic('Kiosk Writes Clinic');
    const kiosk = await device(c.site.id, 'kiosk');
    await settled(kiosk.simulated);

    await kiosk.simulated.transition('appointments', c.today.id, 'checked-in');
    const walkIn = await kiosk.simulated.create<QueueEntry>('queueEntries', {
      id: newId(),
      siteId: c.site.id,
      appointmentId: null,
      patientId: c.patient.id,
      queue: 'reception',
      ticketCode: 'A-008',
      priority: 'assist',
      status: 'waiting',
      checkedInAt: new Date().toISOString(),
      roomId: null,
    });
    await kiosk.simulated.save(
      'patients',
      kioskIntakeUpdate(c.patient, { phone: '+1 555 0199', preferredLanguage: 'es' }, new HybridClock(kiosk.deviceId)),
    );

    await eventually(async () => {
      const [row] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
        c.today.id,
      ]);
      expect(row!.doc).toMatchObject({
        status: 'checked-in',
        checkInSource: 'kiosk',
        notes: SECRETS.notes,
        copayCents: 2000,
        roomId: c.room.id,
        start: c.today.start,
        visitType: 'follow-up',
      });
      const [patient] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [
        c.patient.id,
      ]);
      expect(patient!.doc).toMatchObject({
        phone: '+1 555 0199',
        preferredLanguage: 'es',
        insurance: c.patient.insurance,
        address: c.patient.address,
        mrn: c.patient.mrn,
        givenName: 'Maria',
      });
      const [entry] = await server.db.query<{ doc: QueueEntry }>('SELECT doc FROM queue_entries WHERE id = $1', [
        walkIn.id,
      ]);
      expect(entry!.doc).toMatchObject({ patientId: c.patient.id, ticketCode: 'A-008', priority: 'assist' });
    });

    // The kiosk settles: nothing pending, nothing conflicting forever, and nothing it should not keep.
    const replica = await settled(kiosk.simulated);
    expect((await kiosk.simulated.state()).rejected).toEqual([]);
    await eventually(async () => expect((await kiosk.simulated.dump()).patients).toEqual([]));
    const mine = parse<Record<string, unknown>>(replica.queueEntries).find((e) => e.id === walkIn.id);
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('patientId');
    expect(parse<Appointment>(replica.appointments)[0]!.status).toBe('checked-in');
  });

  it('may not write a provider, room or schedule, cancel or move an appointment, or read patients', async () => {
    const c = await clinic('Kiosk Limits Clinic');
    const kiosk = await enrolledDevice(server, c.site.id, 'kiosk');
    const room = createRecord(
      'rooms',
      { id: newId(), siteId: c.site.id, name: 'Fake', kind: 'other', equipment: [], status: 'available' },
      clock,
      desk,
    );
    const schedule = createRecord(
      'schedules',
      { id: newId(), siteId: c.site.id, providerId: c.provider.id, slotMinutes: 15, weeklyHours: [], exceptions: [] },
      clock,
      desk,
    );
    for (const [collection, record] of [
      ['providers', { ...c.provider, displayName: 'Dr. Evil' }],
      ['rooms', room],
      ['schedules', schedule],
    ] as const) {
      const answer = await api<{ error: { code: string } }>(server.url, `/sync/${collection}/push`, {
        token: kiosk.token,
        body: [{ newDocumentState: record }],
      });
      expect(answer.status, collection).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
    }
    expect((await api(server.url, '/sync/patients/pull', { token: kiosk.token })).status).toBe(403);
    expect((await api(server.url, '/sync/schedules/pull', { token: kiosk.token })).status).toBe(403);

    const pulled = await api<PullResponse>(server.url, '/sync/appointments/pull', { token: kiosk.token });
    const projected = pulled.body.documents[0]!;
    const cancel = {
      ...projected,
      statusLog: [
        ...(projected.statusLog as object[]),
        { from: 'booked', to: 'cancelled', hlc: clock.tick(), by: kiosk.deviceId, source: 'kiosk' },
      ],
    };
    const moved = {
      ...projected,
      start: noon(2).toISOString(),
      clocks: { ...(projected.clocks as object), start: clock.tick() },
    };
    const asSomeoneElse = {
      ...projected,
      statusLog: [
        ...(projected.statusLog as object[]),
        { from: 'booked', to: 'checked-in', hlc: clock.tick(), by: 'another-device', source: 'kiosk' },
      ],
    };
    const newAppointmentByKiosk = { ...projected, id: newId() };
    const answer = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token: kiosk.token,
      body: [cancel, moved, asSomeoneElse, newAppointmentByKiosk].map((doc) => ({
        newDocumentState: doc,
        assumedMasterState: projected,
      })),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.rejected.map((r) => [r.id, r.error.code])).toEqual([
      [c.today.id, 'forbidden'],
      [newAppointmentByKiosk.id, 'forbidden'],
    ]);
    // The rows with the same id collapse to the last (asSomeoneElse); the move is ignored, not applied.
    const [row] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      c.today.id,
    ]);
    expect(row!.doc.status).toBe('booked');
    expect(row!.doc.start).toBe(c.today.start);

    const moveOnly = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token: kiosk.token,
      body: [{ newDocumentState: moved, assumedMasterState: projected }],
    });
    expect(moveOnly.body.rejected).toEqual([]);
    const [after] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      c.today.id,
    ]);
    expect(after!.doc.start).toBe(c.today.start);
    // It is told the server's state, in its own shape.
    expect(moveOnly.body.conflicts[0]).toMatchObject({
      id: c.today.id,
      start: c.today.start,
      patientGivenName: 'Maria',
    });
    expect(moveOnly.body.conflicts[0]).not.toHaveProperty('notes');
  });
});

describe('a kiosk whose appointment is moved', () => {
  it('lets go of an appointment moved to another day', async () => {
    const c = await clinic('Reschedule Clinic');
    const kiosk = await device(c.site.id, 'kiosk');
    expect(parse<Appointment>((await settled(kiosk.simulated)).appointments).map((a) => a.id)).toEqual([c.today.id]);

    const moved = changeRecord(
      'appointments',
      c.today,
      { start: noon(3).toISOString(), end: new Date(noon(3).getTime() + 20 * 60_000).toISOString() },
      clock,
    );
    const deskDevice = await enrolledDevice(server, c.site.id, 'desk');
    const push = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token: deskDevice.token,
      body: [{ newDocumentState: moved, assumedMasterState: c.today }],
    });
    expect(push.body.rejected).toEqual([]);
    await eventually(async () => expect((await kiosk.simulated.dump()).appointments).toEqual([]));

    // A fresh kiosk never hears of the moved appointment: it never held it.
    const page = await api<PullResponse>(server.url, '/sync/appointments/pull', {
      token: (await enrolledDevice(server, c.site.id, 'kiosk')).token,
    });
    expect(page.body.documents.find((d) => d.id === c.today.id)).toBeUndefined();
    expect(JSON.stringify(page.body.documents)).not.toContain('Maria');
  });
});

describe('a day-scoped view', () => {
  it('starts a kiosk over on a new day, so it gets appointments booked long before', async () => {
    const c = await clinic('Midnight Clinic');
    const kiosk = await enrolledDevice(server, c.site.id, 'kiosk');
    const pull = (checkpoint: object) =>
      api<PullResponse>(
        server.url,
        `/sync/appointments/pull?checkpoint=${encodeURIComponent(JSON.stringify(checkpoint))}`,
        {
          token: kiosk.token,
        },
      );
    const today = localDateAt(new Date(), 'UTC');
    const sameDay = await pull({ phase: 'history', seq: 1_000_000_000, day: today });
    expect(sameDay.body.documents).toEqual([]);
    const yesterday = await pull({ phase: 'history', seq: 1_000_000_000, day: '2000-01-01' });
    // Today's appointment, and nothing of the others: the kiosk lets go of yesterday's by itself.
    expect(yesterday.body.documents.map((d) => d.id)).toEqual([c.today.id]);
    expect(yesterday.body.checkpoint).toMatchObject({ day: today });
  });
});

describe('a kiosk at midnight', () => {
  it('lets go of the old day’s appointments when its site’s day changes', async () => {
    const c = await clinic('Dateline Clinic');
    // Moving the site across the date line is midnight on demand: its "today" becomes another date.
    const now = new Date();
    const zone = now.getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Etc/GMT+12';
    const newDay = dayRangeUtc(localDateAt(now, zone), zone);
    const utcDay = dayRangeUtc(localDateAt(now, 'UTC'), 'UTC');
    const hours = Array.from({ length: 24 }, (_, h) => new Date(utcDay.start.getTime() + h * 3_600_000 + 60_000));
    const oldOnly = hours.find((t) => t < newDay.start || t >= newDay.end)!;
    const old = createRecord(
      'appointments',
      newAppointment(c.site.id, c.patient.id, c.provider.id, oldOnly),
      clock,
      desk,
    );
    await writeRecords(server.db, 'appointments', [old]);

    const kiosk = await device(c.site.id, 'kiosk');
    const before = parse<Appointment>((await settled(kiosk.simulated)).appointments).map((a) => a.id);
    expect(before).toContain(old.id);

    const [site] = await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [c.site.id]);
    await writeRecords(server.db, 'sites', [changeRecord('sites', site!.doc, { timezone: zone }, clock)]);
    const deskDevice = await enrolledDevice(server, c.site.id, 'desk');
    const fresh = createRecord(
      'appointments',
      newAppointment(c.site.id, c.patient.id, c.provider.id, new Date(newDay.start.getTime() + 60_000)),
      clock,
      { id: deskDevice.deviceId, role: 'desk', source: 'desk' },
    );
    const push = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token: deskDevice.token,
      body: [{ newDocumentState: fresh }],
    });
    expect(push.body.rejected).toEqual([]);

    await eventually(async () => {
      const ids = parse<Appointment>((await kiosk.simulated.dump()).appointments).map((a) => a.id);
      expect(ids).toContain(fresh.id);
      expect(ids).not.toContain(old.id);
    });
    // Letting go is local: the server still has the old day's appointment as it was.
    const [kept] = await server.db.query<{ deleted: boolean }>('SELECT deleted FROM appointments WHERE id = $1', [
      old.id,
    ]);
    expect(kept!.deleted).toBe(false);
  });
});

describe('a display replica', () => {
  it('holds today’s tickets, rooms and call times, and no names', async () => {
    const c = await clinic('Display Clinic');
    const display = await device(c.site.id, 'display');
    const replica = await settled(display.simulated);
    expect(Object.keys(replica).sort()).toEqual(['queueEntries', 'rooms', 'sites']);
    const entries = parse<Record<string, unknown>>(replica.queueEntries);
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!).sort()).toEqual(
      [
        '_deleted',
        'calledAt',
        'checkedInAt',
        'id',
        'queue',
        'roomId',
        'roomName',
        'siteId',
        'status',
        'ticketCode',
      ].sort(),
    );
    expect(entries[0]).toMatchObject({ ticketCode: 'A-007', roomName: 'Room 3', status: 'waiting' });
    const everything = JSON.stringify(replica);
    for (const secret of ['Maria', SECRETS.familyName, c.patient.id, c.today.id, SECRETS.phone])
      expect(everything).not.toContain(secret);

    const push = await api(server.url, '/sync/queueEntries/push', {
      token: display.token,
      body: [{ newDocumentState: c.entry }],
    });
    expect(push.status).toBe(403);
    for (const collection of ['patients', 'appointments', 'providers', 'schedules']) {
      expect((await api(server.url, `/sync/${collection}/pull`, { token: display.token })).status).toBe(403);
    }
  });
});

describe('site isolation', () => {
  it('a device of site A can neither pull, push nor hear about site B', async () => {
    const a = await clinic('Site A');
    const b = await clinic('Site B');
    const deviceA = await enrolledDevice(server, a.site.id, 'desk');
    const deviceB = await enrolledDevice(server, b.site.id, 'desk');

    for (const collection of ['sites', 'providers', 'rooms', 'patients', 'appointments', 'queueEntries']) {
      const page = await api<PullResponse>(server.url, `/sync/${collection}/pull?limit=1000`, { token: deviceA.token });
      const text = JSON.stringify(page.body.documents);
      expect(text, collection).not.toContain(b.site.id);
      for (const id of [b.patient.id, b.today.id, b.entry.id, b.room.id, b.provider.id]) expect(text).not.toContain(id);
    }

    const intoB = createRecord('patients', newPatient(b.site.id), clock, desk);
    const stealB = { ...b.patient, siteId: a.site.id, clocks: { ...b.patient.clocks, siteId: clock.tick() } };
    const pushed = await api<PushResponse>(server.url, '/sync/patients/push', {
      token: deviceA.token,
      body: [{ newDocumentState: intoB }, { newDocumentState: stealB }],
    });
    expect(pushed.body.rejected.map((r) => r.error.code)).toEqual(['forbidden', 'forbidden']);
    expect(await server.db.query('SELECT 1 FROM patients WHERE id = $1', [intoB.id])).toEqual([]);
    const [still] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [b.patient.id]);
    expect(still!.doc.siteId).toBe(b.site.id);

    // Live: A's socket hears A's changes and nothing of B's.
    const socket: Socket = connect(server.url, {
      auth: { token: deviceA.token },
      transports: ['websocket'],
      reconnection: false,
    });
    cleanup.push(() => void socket.close());
    const heard: LiveChange[] = [];
    socket.on(LIVE_CHANGE_EVENT, (change: LiveChange) => heard.push(change));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const inB = createRecord('patients', newPatient(b.site.id, { familyName: 'OnlyAtB' }), clock, desk);
    const inA = createRecord('patients', newPatient(a.site.id, { familyName: 'OnlyAtA' }), clock, desk);
    expect(
      (await api(server.url, '/sync/patients/push', { token: deviceB.token, body: [{ newDocumentState: inB }] }))
        .status,
    ).toBe(200);
    expect(
      (await api(server.url, '/sync/patients/push', { token: deviceA.token, body: [{ newDocumentState: inA }] }))
        .status,
    ).toBe(200);
    await eventually(() => expect(heard.some((h) => JSON.stringify(h).includes(inA.id))).toBe(true), 5000, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(JSON.stringify(heard)).not.toContain(inB.id);
    expect(JSON.stringify(heard)).not.toContain('OnlyAtB');
  });
});

describe('the audit log', () => {
  it('records every read and write of patient data through sync, with who, what and from where', async () => {
    const c = await clinic('Audited Clinic');
    const deskDevice = await enrolledDevice(server, c.site.id, 'desk');
    const kiosk = await enrolledDevice(server, c.site.id, 'kiosk');
    const display = await enrolledDevice(server, c.site.id, 'display');
    const admin = await signIn(server.url, (await staffUser(server.db, [c.site.id], 'admin')).email);

    // A staff socket that receives changes inline reads them too.
    const socket: Socket = connect(server.url, {
      auth: { token: admin.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    cleanup.push(() => void socket.close());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

    await api(server.url, '/sync/patients/pull', {
      token: deskDevice.token,
      headers: { 'user-agent': 'desk-app/1.0' },
    });
    await api(server.url, '/sync/appointments/pull', { token: kiosk.token });
    await api(server.url, '/sync/queueEntries/pull', { token: display.token });
    const edited = { ...c.patient, phone: '+1 555 0155', clocks: { ...c.patient.clocks, phone: clock.tick() } };
    await api(server.url, '/sync/patients/push', { token: deskDevice.token, body: [{ newDocumentState: edited }] });
    await api(server.url, '/sync/rooms/pull', { token: deskDevice.token });

    type Row = {
      actor: { kind: string; id: string };
      action: string;
      collection: string;
      recordIds: string[];
      via: string;
      ip: string;
      userAgent: string | null;
    };
    await eventually(async () => {
      const log = await api<{ events: Row[] }>(server.url, `/admin/audit?recordId=${c.patient.id}`, {
        token: admin.accessToken,
      });
      expect(log.status).toBe(200);
      const seen = log.body.events.map((e) => `${e.actor.id} ${e.action} ${e.collection} ${e.via}`);
      expect(seen).toEqual(
        expect.arrayContaining([
          `${deskDevice.deviceId} read patients sync.pull`,
          `${deskDevice.deviceId} write patients sync.push`,
          `${admin.user.id} read patients sync.live`,
        ]),
      );
      const pull = log.body.events.find((e) => e.via === 'sync.pull')!;
      expect(pull).toMatchObject({
        actor: { kind: 'device' },
        ip: expect.stringMatching(/127\.0\.0\.1/),
        userAgent: 'desk-app/1.0',
      });
    });
    const byKiosk = await api<{ events: Row[] }>(server.url, `/admin/audit?actorId=${kiosk.deviceId}`, {
      token: admin.accessToken,
    });
    expect(byKiosk.body.events).toMatchObject([
      { action: 'read', collection: 'appointments', recordIds: expect.arrayContaining([c.today.id]) },
    ]);
    const byDisplay = await api<{ events: Row[] }>(server.url, `/admin/audit?actorId=${display.deviceId}`, {
      token: admin.accessToken,
    });
    expect(byDisplay.body.events).toMatchObject([
      { action: 'read', collection: 'queueEntries', recordIds: [c.entry.id] },
    ]);
    // Rooms are not patient data: no row.
    const rooms = await api<{ events: Row[] }>(server.url, `/admin/audit?collection=rooms`, {
      token: admin.accessToken,
    });
    expect(rooms.body.events).toEqual([]);

    // Pages follow the cursor without overlap.
    const first = await api<{ events: { id: string }[]; nextCursor: string | null }>(
      server.url,
      '/admin/audit?limit=2',
      {
        token: admin.accessToken,
      },
    );
    expect(first.body.events).toHaveLength(2);
    const second = await api<{ events: { id: string }[] }>(
      server.url,
      `/admin/audit?limit=2&cursor=${first.body.nextCursor}`,
      {
        token: admin.accessToken,
      },
    );
    expect(second.body.events.map((e) => e.id)).not.toEqual(expect.arrayContaining(first.body.events.map((e) => e.id)));
    expect(Number(second.body.events[0]!.id)).toBeLessThan(Number(first.body.events[1]!.id));
  });
});
