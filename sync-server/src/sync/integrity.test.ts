import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  projectKioskQueueEntry,
  transitionRecord,
  type Actor,
  type Appointment,
  type Patient,
  type Provider,
  type QueueEntry,
} from '@medisync/shared/domain';
import type { PullResponse, PushResponse } from '@medisync/shared/sync';
import { api, enrolledDevice } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { serverRules } from './rules.js';
import { writeRecords } from './store.js';

/**
 * Defects found by pushing as a hostile device or a careless integrator would:
 * each test here failed before its fix.
 */

let server: TestServer;
const cleanup: (() => Promise<void> | void)[] = [];
const clock = new HybridClock('integrity-test');
const seeder: Actor = { id: 'integrity-test', role: 'server', source: 'server' };

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await server?.close();
});

function todayAt(hour: number): Date {
  const today = localDateAt(new Date(), 'UTC');
  return new Date(dayRangeUtc(today, 'UTC').start.getTime() + hour * 3_600_000);
}

/** A site with a patient booked today and waiting in the queue. */
async function clinic(name: string) {
  const { site, provider } = await seedSite(server.db, name);
  const patient = createRecord('patients', newPatient(site.id, { familyName: `${name} Family` }), clock, seeder);
  const appointment = createRecord(
    'appointments',
    newAppointment(site.id, patient.id, provider.id, todayAt(12)),
    clock,
    seeder,
  );
  const entry = waitingEntry(site.id, patient.id, appointment.id, 'A-001');
  await writeRecords(server.db, 'patients', [patient], { rules: serverRules });
  await writeRecords(server.db, 'appointments', [appointment]);
  await writeRecords(server.db, 'queueEntries', [entry]);
  return { site, provider, patient, appointment, entry };
}

function waitingEntry(
  siteId: string,
  patientId: string,
  appointmentId: string | null,
  ticketCode: string,
  actor: Actor = seeder,
  checkedInAt = new Date().toISOString(),
) {
  return createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId,
      appointmentId,
      patientId,
      queue: 'reception',
      ticketCode,
      priority: 'normal',
      status: 'waiting',
      checkedInAt,
      roomId: null,
    },
    clock,
    actor,
  );
}

/** How a desk device writes: its status events are its own. */
const deskActor = (deviceId: string): Actor => ({ id: deviceId, role: 'desk', source: 'desk' });

async function stored<T>(table: string, id: string): Promise<T> {
  const [row] = await server.db.query<{ doc: T }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]);
  return row!.doc;
}

async function push(token: string, collection: string, docs: object[], assumed?: object) {
  return api<PushResponse>(server.url, `/sync/${collection}/push`, {
    token,
    body: docs.map((doc) => ({ newDocumentState: doc, ...(assumed ? { assumedMasterState: assumed } : {}) })),
  });
}

describe('a status event is immutable once the server holds it', () => {
  it('refuses a kiosk that rewrites a known event to cancel an appointment or no-show a queue entry', async () => {
    const c = await clinic('Forged Events Clinic');
    const kiosk = await enrolledDevice(server, c.site.id, 'kiosk');

    const appointments = await api<PullResponse>(server.url, '/sync/appointments/pull', { token: kiosk.token });
    const projected = appointments.body.documents.find((d) => d.id === c.appointment.id)!;
    const [booked] = projected.statusLog as { hlc: string }[];
    // The known event's hlc with other content, and a `by` that sorts after every real one.
    const cancelled = { ...projected, statusLog: [{ ...booked, to: 'cancelled', by: '\uffff' }] };
    const answer = await push(kiosk.token, 'appointments', [cancelled], projected);
    expect(answer.body.rejected.map((r) => [r.id, r.error.code])).toEqual([[c.appointment.id, 'forbidden']]);
    expect(answer.body.rejected[0]!.error.message).toMatch(/status event .* already recorded/);
    expect((await stored<Appointment>('appointments', c.appointment.id)).status).toBe('booked');

    const queue = await api<PullResponse>(server.url, '/sync/queueEntries/pull', { token: kiosk.token });
    const entry = queue.body.documents.find((d) => d.id === c.entry.id)!;
    const [waiting] = entry.statusLog as { hlc: string }[];
    const noShow = { ...entry, statusLog: [{ ...waiting, from: 'waiting', to: 'no-show', by: '\uffff' }] };
    const refused = await push(kiosk.token, 'queueEntries', [noShow], entry);
    expect(refused.body.rejected.map((r) => r.error.code)).toEqual(['forbidden']);
    expect((await stored<QueueEntry>('queue_entries', c.entry.id)).status).toBe('waiting');
  });

  it('refuses a rewritten event from a desk too, while its honest new events still apply', async () => {
    const c = await clinic('Forged Desk Clinic');
    const desk = await enrolledDevice(server, c.site.id, 'desk');
    const current = await stored<Appointment>('appointments', c.appointment.id);
    const [booked] = current.statusLog;
    const rewritten = { ...current, statusLog: [{ ...booked!, to: 'noshow' }] };
    const refused = await push(desk.token, 'appointments', [rewritten], current);
    expect(refused.body.rejected.map((r) => r.error.code)).toEqual(['forbidden']);
    expect((await stored<Appointment>('appointments', c.appointment.id)).status).toBe('booked');

    const honest = {
      ...current,
      statusLog: [
        ...current.statusLog,
        { from: 'booked', to: 'checked-in', hlc: clock.tick(), by: desk.deviceId, source: 'desk' },
      ],
    };
    const accepted = await push(desk.token, 'appointments', [honest], current);
    expect(accepted.body.rejected).toEqual([]);
    expect((await stored<Appointment>('appointments', c.appointment.id)).status).toBe('checked-in');
  });

  it('refuses new events a device claims were made by someone else', async () => {
    const c = await clinic('Impostor Clinic');
    const desk = await enrolledDevice(server, c.site.id, 'desk');
    const current = await stored<Appointment>('appointments', c.appointment.id);
    const impostor = {
      ...current,
      statusLog: [
        ...current.statusLog,
        { from: 'booked', to: 'checked-in', hlc: clock.tick(), by: 'someone-else', source: 'kiosk' },
      ],
    };
    const refused = await push(desk.token, 'appointments', [impostor], current);
    expect(refused.body.rejected.map((r) => r.error.code)).toEqual(['forbidden']);
    expect((await stored<Appointment>('appointments', c.appointment.id)).status).toBe('booked');
  });
});

describe('a kiosk walk-in registration', () => {
  it('registers a new patient and queues them, online and after being offline', async () => {
    const c = await clinic('Walk-in Clinic');
    const enrolled = await enrolledDevice(server, c.site.id, 'kiosk');
    const kiosk = await SimulatedDevice.start({
      deviceId: enrolled.deviceId,
      serverPort: server.port,
      token: enrolled.token,
      role: 'kiosk',
    });
    cleanup.push(() => kiosk.stop());
    await eventually(async () => expect((await kiosk.state()).firstSync.complete).toBe(true));

    const register = async (familyName: string, ticketCode: string) => {
      const patient = await kiosk.create<Patient>('patients', {
        ...newPatient(c.site.id, { familyName, phone: null }),
      });
      const entry = await kiosk.create<QueueEntry>('queueEntries', {
        id: newId(),
        siteId: c.site.id,
        appointmentId: null,
        patientId: patient.id,
        queue: 'reception',
        ticketCode,
        priority: 'normal',
        status: 'waiting',
        checkedInAt: new Date().toISOString(),
        roomId: null,
      });
      return { patient, entry };
    };

    const online = await register('Online Walkin', 'A-101');
    kiosk.goOffline();
    const offline = await register('Offline Walkin', 'A-102');
    kiosk.goOnline();

    await eventually(async () => {
      for (const walkIn of [online, offline]) {
        const patient = await stored<Patient>('patients', walkIn.patient.id);
        expect(patient).toMatchObject({ familyName: walkIn.patient.familyName, active: true });
        expect(patient.mrn).toMatch(/^MRN-\d+$/);
        expect(await stored<QueueEntry>('queue_entries', walkIn.entry.id)).toMatchObject({
          patientId: walkIn.patient.id,
          status: 'waiting',
        });
      }
    });
    await eventually(async () => {
      const state = await kiosk.state();
      expect(state.pending).toBe(0);
      expect(state.rejected).toEqual([]);
      // Write-only: the registrations left the kiosk once the server had them.
      expect((await kiosk.dump()).patients).toEqual([]);
    });
  });
});

describe('site memberships', () => {
  it('a desk of one site may not put a provider into another site', async () => {
    const one = await seedSite(server.db, 'Site One');
    const two = await seedSite(server.db, 'Site Two');
    const desk = await enrolledDevice(server, one.site.id, 'desk');
    const deskTwo = await enrolledDevice(server, two.site.id, 'desk');

    const intruder = createRecord(
      'providers',
      {
        id: newId(),
        siteIds: [one.site.id, two.site.id],
        displayName: 'Dr. Everywhere',
        specialty: null,
        active: true,
      },
      clock,
      seeder,
    );
    const created = await push(desk.token, 'providers', [intruder]);
    expect(created.body.rejected.map((r) => [r.id, r.error.code])).toEqual([[intruder.id, 'forbidden']]);
    expect(created.body.rejected[0]!.error.message).toMatch(/another site/);

    const widened = { ...one.provider, siteIds: [one.site.id, two.site.id], clocks: { siteIds: clock.tick() } };
    const changed = await push(desk.token, 'providers', [widened], one.provider);
    expect(changed.body.rejected.map((r) => r.error.code)).toEqual(['forbidden']);
    expect((await stored<Provider>('providers', one.provider.id)).siteIds).toEqual([one.site.id]);

    const pulled = await api<PullResponse>(server.url, '/sync/providers/pull', { token: deskTwo.token });
    expect(pulled.body.documents.map((d) => d.id)).toEqual([two.provider.id]);
  });

  it('a desk may still edit a provider shared with another site without changing that membership', async () => {
    const one = await seedSite(server.db, 'Shared One');
    const two = await seedSite(server.db, 'Shared Two');
    const shared = createRecord(
      'providers',
      { id: newId(), siteIds: [one.site.id, two.site.id], displayName: 'Dr. Shared', specialty: null, active: true },
      clock,
      seeder,
    );
    await writeRecords(server.db, 'providers', [shared]);
    const desk = await enrolledDevice(server, one.site.id, 'desk');
    const renamed = {
      ...shared,
      displayName: 'Dr. Shared-Renamed',
      clocks: { ...shared.clocks, displayName: clock.tick() },
    };
    const answer = await push(desk.token, 'providers', [renamed], shared);
    expect(answer.body.rejected).toEqual([]);
    const dropped = { ...renamed, siteIds: [one.site.id], clocks: { ...renamed.clocks, siteIds: clock.tick() } };
    const refused = await push(desk.token, 'providers', [dropped], renamed);
    expect(refused.body.rejected.map((r) => r.error.code)).toEqual(['forbidden']);
    expect(await stored<Provider>('providers', shared.id)).toMatchObject({
      displayName: 'Dr. Shared-Renamed',
      siteIds: [one.site.id, two.site.id],
    });
  });
});

describe('references across sites', () => {
  it('refuses records that point at another site’s patients, providers and appointments', async () => {
    const mine = await clinic('Reference Home');
    const theirs = await clinic('Reference Elsewhere');
    const desk = await enrolledDevice(server, mine.site.id, 'desk');
    const kiosk = await enrolledDevice(server, mine.site.id, 'kiosk');

    const foreignPatient = createRecord(
      'appointments',
      newAppointment(mine.site.id, theirs.patient.id, mine.provider.id, todayAt(15)),
      clock,
      deskActor(desk.deviceId),
    );
    const foreignProvider = createRecord(
      'appointments',
      newAppointment(mine.site.id, mine.patient.id, theirs.provider.id, todayAt(16)),
      clock,
      deskActor(desk.deviceId),
    );
    const good = createRecord(
      'appointments',
      newAppointment(mine.site.id, mine.patient.id, mine.provider.id, todayAt(17)),
      clock,
      deskActor(desk.deviceId),
    );
    const answer = await push(desk.token, 'appointments', [foreignPatient, foreignProvider, good]);
    expect(answer.status).toBe(200);
    expect(answer.body.rejected.map((r) => [r.id, r.error.code])).toEqual([
      [foreignPatient.id, 'invalid-reference'],
      [foreignProvider.id, 'invalid-reference'],
    ]);
    expect(answer.body.rejected[0]!.error.message).toMatch(/patientId .* another site/);
    expect(await stored<Appointment>('appointments', good.id)).toMatchObject({ patientId: mine.patient.id });

    const kioskEntry = {
      ...projectKioskQueueEntry(
        waitingEntry(mine.site.id, mine.patient.id, theirs.appointment.id, 'A-201', {
          id: kiosk.deviceId,
          role: 'kiosk',
          source: 'kiosk',
        }),
      ),
      appointmentId: theirs.appointment.id,
    };
    const refused = await push(kiosk.token, 'queueEntries', [kioskEntry]);
    expect(refused.body.rejected.map((r) => r.error.code)).toEqual(['invalid-reference']);
    const [row] = await server.db.query('SELECT id FROM queue_entries WHERE id = $1', [kioskEntry.id]);
    expect(row).toBeUndefined();

    // Nothing of the other site reaches this site's replicas.
    const pulled = await api<PullResponse>(server.url, '/sync/appointments/pull?limit=500', { token: desk.token });
    expect(JSON.stringify(pulled.body)).not.toContain(theirs.patient.id);
  });
});

describe('a second arrival for one appointment', () => {
  it('is flagged for the desk, never silently queued twice', async () => {
    const c = await clinic('Double Arrival Clinic');
    const deskA = await enrolledDevice(server, c.site.id, 'desk');
    const deskB = await enrolledDevice(server, c.site.id, 'desk');
    const second = waitingEntry(c.site.id, c.patient.id, c.appointment.id, 'A-002', deskActor(deskB.deviceId));
    // Desk B checked the same appointment in before it heard of desk A's entry.
    const answer = await push(deskB.token, 'queueEntries', [second]);
    expect(answer.body.rejected).toEqual([]);
    const flagged = await stored<QueueEntry>('queue_entries', second.id);
    expect(flagged.needsAttention).toBe(true);
    expect(Object.values(flagged.attention)).toEqual([
      expect.objectContaining({ code: 'duplicate-arrival', resolvedAt: null }),
    ]);
    expect(Object.values(flagged.attention)[0]!.reason).toContain(c.entry.ticketCode);
    // The device that pushed it is told of the flag at once.
    expect(answer.body.conflicts.map((d) => d.id)).toEqual([second.id]);
    // A repeat changes nothing and raises nothing new.
    const again = await push(deskA.token, 'queueEntries', [flagged], flagged);
    expect(again.body.conflicts).toEqual([]);
  });
});

describe('a ticket code given twice on one day', () => {
  it('is flagged on the entry that took it second, once; calling either raises nothing more', async () => {
    const c = await clinic('Double Ticket Clinic');
    const deskA = await enrolledDevice(server, c.site.id, 'desk');
    const deskB = await enrolledDevice(server, c.site.id, 'desk');
    // Desk B, offline with an exhausted lease, gave a walk-in the ticket the queue already holds.
    const walkIn = waitingEntry(c.site.id, c.patient.id, null, c.entry.ticketCode, deskActor(deskB.deviceId));
    const other = waitingEntry(c.site.id, c.patient.id, null, 'A-777', deskActor(deskB.deviceId));
    const answer = await push(deskB.token, 'queueEntries', [walkIn, other]);
    expect(answer.body.rejected).toEqual([]);
    const flagged = await stored<QueueEntry>('queue_entries', walkIn.id);
    expect(Object.values(flagged.attention)).toEqual([
      expect.objectContaining({ code: 'duplicate-ticket-code', resolvedAt: null }),
    ]);
    expect(Object.values(flagged.attention)[0]!.reason).toContain(c.entry.id);
    expect((await stored<QueueEntry>('queue_entries', other.id)).attention).toEqual({});
    expect(answer.body.conflicts.map((d) => d.id)).toEqual([walkIn.id]);

    // The desk calls both: one clash, one flag, however often the entries change afterwards.
    for (const entry of [await stored<QueueEntry>('queue_entries', c.entry.id), flagged]) {
      const call = transitionRecord('queueEntries', entry, 'called', clock, deskActor(deskA.deviceId));
      const called = await push(deskA.token, 'queueEntries', [call], entry);
      expect(called.body.rejected).toEqual([]);
      expect(called.body.conflicts).toEqual([]);
    }
    expect((await stored<QueueEntry>('queue_entries', c.entry.id)).attention).toEqual({});
    expect(Object.keys((await stored<QueueEntry>('queue_entries', walkIn.id)).attention)).toEqual(
      Object.keys(flagged.attention),
    );
  });

  it("counts the day in the site's timezone, not in UTC", async () => {
    // Honolulu is ten hours behind UTC all year: 22:00 there is 08:00 the next day in UTC.
    const { site } = await seedSite(server.db, 'Honolulu Ticket Clinic', 'Pacific/Honolulu');
    const patient = createRecord('patients', newPatient(site.id), clock, seeder);
    await writeRecords(server.db, 'patients', [patient], { rules: serverRules });
    const desk = await enrolledDevice(server, site.id, 'desk');
    const actor = deskActor(desk.deviceId);
    const morning = waitingEntry(site.id, patient.id, null, 'A-100', actor, '2026-03-02T20:00:00.000Z');
    expect((await push(desk.token, 'queueEntries', [morning])).body.rejected).toEqual([]);
    // The same local day as the morning's, though another UTC date; and the next local day, on that UTC date.
    const evening = waitingEntry(site.id, patient.id, null, 'A-100', actor, '2026-03-03T08:00:00.000Z');
    const pastMidnight = waitingEntry(site.id, patient.id, null, 'A-100', actor, '2026-03-03T11:00:00.000Z');
    expect((await push(desk.token, 'queueEntries', [evening, pastMidnight])).body.rejected).toEqual([]);
    expect(Object.values((await stored<QueueEntry>('queue_entries', evening.id)).attention)).toEqual([
      expect.objectContaining({ code: 'duplicate-ticket-code', reason: expect.stringContaining(morning.id) }),
    ]);
    expect((await stored<QueueEntry>('queue_entries', pastMidnight.id)).attention).toEqual({});
  });
});

describe('a kiosk whose push answer was lost', () => {
  it('ends with exactly the server’s kiosk view of its walk-in, holding no patient or appointment ids', async () => {
    const c = await clinic('Lost Answer Clinic');
    const enrolled = await enrolledDevice(server, c.site.id, 'kiosk');
    const kiosk = await SimulatedDevice.start({
      deviceId: enrolled.deviceId,
      serverPort: server.port,
      token: enrolled.token,
      role: 'kiosk',
    });
    cleanup.push(() => kiosk.stop());
    await eventually(async () => expect((await kiosk.state()).firstSync.complete).toBe(true));

    kiosk.goOffline();
    const entry = await kiosk.create<QueueEntry>('queueEntries', {
      id: newId(),
      siteId: c.site.id,
      appointmentId: null,
      patientId: c.patient.id,
      queue: 'reception',
      ticketCode: 'A-301',
      priority: 'normal',
      status: 'waiting',
      checkedInAt: new Date().toISOString(),
      roomId: null,
    });
    // Its push reached the server and committed, but the answer never came back.
    const committed = await push(enrolled.token, 'queueEntries', [entry]);
    expect(committed.body.rejected).toEqual([]);
    kiosk.goOnline();

    const view = projectKioskQueueEntry(await stored<QueueEntry>('queue_entries', entry.id));
    await eventually(async () => {
      const state = await kiosk.state();
      expect(state.pending).toBe(0);
      const held = await kiosk.get<Record<string, unknown>>('queueEntries', entry.id);
      expect(held).not.toHaveProperty('patientId');
      expect(held).not.toHaveProperty('appointmentId');
      expect(Object.keys(held!.clocks as object)).not.toContain('patientId');
      expect(held).toMatchObject(JSON.parse(JSON.stringify(view)) as object);
    });
  });
});
