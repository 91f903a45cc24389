import {
  changeRecord,
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  type Actor,
  type CollectionName,
} from '@medisync/shared/domain';
import {
  LIVE_CHANGE_EVENT,
  type Checkpoint,
  type LiveChange,
  type PullQuery,
  type PullResponse,
} from '@medisync/shared/sync';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, enrolledDevice } from '#auth/testing';
import { deviceToken, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { writeRecords } from './store.js';
import { tableOf } from './tables.js';

let server: TestServer;
const clock = new HybridClock('pull-test');
const desk: Actor = { id: 'pull-test', role: 'desk', source: 'desk' };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function todayAt(minutes: number): Date {
  return new Date(dayRangeUtc(localDateAt(new Date(), 'UTC'), 'UTC').start.getTime() + minutes * 60_000);
}

/**
 * A clinic whose history interleaves today's working set with everything else:
 * each of 12 patients is written, then (for every other one) an appointment
 * today, a queue entry today, and for the rest an appointment next week.
 */
async function clinic() {
  const { site, provider } = await seedSite(server.db, 'Pull Clinic');
  const today = { appointments: [] as string[], queueEntries: [] as string[], patients: [] as string[] };
  for (let i = 0; i < 12; i++) {
    const patient = createRecord('patients', newPatient(site.id), clock, desk);
    await writeRecords(server.db, 'patients', [patient]);
    const start = i % 2 === 0 ? todayAt(60 + i * 20) : new Date(Date.now() + 7 * 86_400_000 + i * 1_200_000);
    const appointment = createRecord(
      'appointments',
      newAppointment(site.id, patient.id, provider.id, start),
      clock,
      desk,
    );
    await writeRecords(server.db, 'appointments', [appointment]);
    if (i % 2 !== 0) continue;
    today.patients.push(patient.id);
    today.appointments.push(appointment.id);
    const entry = createRecord(
      'queueEntries',
      {
        id: newId(),
        siteId: site.id,
        appointmentId: appointment.id,
        patientId: patient.id,
        queue: 'reception',
        ticketCode: `A-${String(i).padStart(3, '0')}`,
        priority: 'normal',
        status: 'waiting',
        checkedInAt: todayAt(50 + i * 20).toISOString(),
        roomId: null,
      },
      clock,
      desk,
    );
    await writeRecords(server.db, 'queueEntries', [entry]);
    today.queueEntries.push(entry.id);
  }
  return { site, provider, today };
}

/** Pulls a collection from nothing the way RxDB does: page after page, stopping at the first short one. */
async function firstPull(token: string, collection: CollectionName, limit: number) {
  return (await pullToEnd(token, collection, limit)).pages;
}

/** With `workingSet: 'apart'`, as the apps pull: on past a short page that says more is to come. */
async function pullToEnd(
  token: string,
  collection: CollectionName,
  limit: number,
  from: Checkpoint | null = null,
  workingSet?: PullQuery['workingSet'],
) {
  const pages: PullResponse['documents'][] = [];
  /** Each page's estimate of the rows still to come after it. */
  const remaining: number[] = [];
  let checkpoint = from;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit), ...(workingSet ? { workingSet } : {}) });
    if (checkpoint !== null) query.set('checkpoint', JSON.stringify(checkpoint));
    const page = await api<PullResponse>(server.url, `/sync/${collection}/pull?${query.toString()}`, { token });
    expect(page.status).toBe(200);
    pages.push(page.body.documents);
    remaining.push(page.body.remaining);
    checkpoint = page.body.checkpoint;
    const short = page.body.documents.length < limit;
    if (short && (workingSet === undefined || page.body.remaining === 0)) return { pages, remaining, checkpoint };
    if (pages.length > 50) throw new Error('the pull never ended');
  }
}

/** The ids of a collection at the site, in id order (as JavaScript sorts them) or by `column`. */
async function idsAt(siteId: string, collection: CollectionName, column: 'id' | 'seq' = 'id'): Promise<string[]> {
  const rows = await server.db.query<{ id: string }>(
    `SELECT id FROM ${tableOf[collection]} WHERE site_ids @> ARRAY[$1::uuid] ORDER BY ${column}`,
    [siteId],
  );
  return rows.map((r) => r.id);
}

describe("a device's first pull", () => {
  it('sends today’s working set first and then the history, each record exactly once, in full pages', async () => {
    const { site, today } = await clinic();
    const token = await deviceToken(server, site.id, 'desk');
    for (const collection of ['appointments', 'queueEntries', 'patients'] as const) {
      const pages = await firstPull(token, collection, 4);
      const received = pages.flat().map((d) => d.id);
      // Each once, and all of them.
      expect({ collection, received: [...received].sort() }).toEqual({
        collection,
        received: await idsAt(site.id, collection),
      });
      // RxDB stops at the first short page: every page before the last is full.
      expect(pages.slice(0, -1).map((p) => p.length)).toEqual(pages.slice(0, -1).map(() => 4));
      // The working set still comes first.
      expect([...received.slice(0, today[collection].length)].sort()).toEqual([...today[collection]].sort());
    }
  });

  it('asked for the working set apart, ends it on a page of its own, says more is to come, and then sends the history, each record once', async () => {
    const { site, today } = await clinic();
    const token = await deviceToken(server, site.id, 'desk');
    for (const collection of ['appointments', 'queueEntries', 'patients'] as const) {
      const { pages, remaining } = await pullToEnd(token, collection, 4, null, 'apart');
      const received = pages.flat().map((d) => d.id);
      expect({ collection, received: [...received].sort() }).toEqual({
        collection,
        received: await idsAt(site.id, collection),
      });
      // Today's six on pages of their own, four and two, and nothing else on them.
      const working = pages.slice(0, 2);
      expect({ collection, sizes: working.map((p) => p.length) }).toEqual({ collection, sizes: [4, 2] });
      expect({
        collection,
        ids: working
          .flat()
          .map((d) => d.id)
          .sort(),
      }).toEqual({
        collection,
        ids: [...today[collection]].sort(),
      });
      expect(remaining[1]).toBeGreaterThan(0);
    }
  });

  it('asked for the working set apart with nothing in it today, sends full pages of history from the first', async () => {
    const { site } = await seedSite(server.db, 'Quiet Clinic');
    const patients = Array.from({ length: 6 }, () => createRecord('patients', newPatient(site.id), clock, desk));
    await writeRecords(server.db, 'patients', patients);
    const token = await deviceToken(server, site.id, 'desk');
    // RxDB keeps no checkpoint from an empty page: the working set cannot end on one.
    const { pages } = await pullToEnd(token, 'patients', 4, null, 'apart');
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
  });

  it('estimates what is still to come for the progress bar: never less than will come, at most a day’s working set more, and nothing at the end', async () => {
    const { site, today } = await clinic();
    const token = await deviceToken(server, site.id, 'desk');
    for (const collection of ['appointments', 'queueEntries', 'patients'] as const) {
      const { pages, remaining } = await pullToEnd(token, collection, 4);
      const toCome = pages.map((_, i) => pages.slice(i + 1).flat().length);
      expect({ collection, last: remaining.at(-1) }).toEqual({ collection, last: 0 });
      remaining.forEach((estimate, i) => {
        expect(estimate).toBeGreaterThanOrEqual(toCome[i]!);
        expect(estimate).toBeLessThanOrEqual(toCome[i]! + today[collection].length);
      });
    }
  });

  it('ends where the next live change starts, so that change reaches the device inline rather than by another pull', async () => {
    const { site, provider } = await clinic();
    // Today's visits written last, so the history phase, which leaves them out, ends on older records.
    const [someone] = await idsAt(site.id, 'patients');
    const lastToday = createRecord(
      'appointments',
      newAppointment(site.id, someone!, provider.id, todayAt(21 * 60)),
      clock,
      desk,
    );
    await writeRecords(server.db, 'appointments', [lastToday]);
    const token = await deviceToken(server, site.id, 'desk');
    const { checkpoint } = await pullToEnd(token, 'appointments', 4);

    const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      const heard: LiveChange[] = [];
      socket.on(LIVE_CHANGE_EVENT, (change: LiveChange) => heard.push(change));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      // Another desk books a visit (any change to the collection would do).
      const other = await enrolledDevice(server, site.id, 'desk');
      const booked = createRecord(
        'appointments',
        newAppointment(site.id, someone!, provider.id, todayAt(22 * 60)),
        clock,
        { id: other.deviceId, role: 'desk', source: 'desk' },
      );
      const pushed = await api(server.url, '/sync/appointments/push', {
        token: other.token,
        body: [{ newDocumentState: booked }],
      });
      expect(pushed.status).toBe(200);
      await vi.waitFor(() => expect(heard.map((h) => h.collection)).toContain('appointments'));
      // A device takes a live change's documents only when it stands exactly where the change starts.
      expect(heard.find((h) => h.collection === 'appointments')!.fromSeq).toBe(checkpoint!.seq);
    } finally {
      socket.close();
    }
  });

  it('a kiosk gets each of today’s appointments once and nothing of the others, even those changed today', async () => {
    const { site, today } = await clinic();
    const token = await deviceToken(server, site.id, 'kiosk');
    const pages = await firstPull(token, 'appointments', 2);
    const documents = pages.flat();
    // The clinic was written today, next week's appointments too: a kiosk starting its day holds
    // nothing to let go of, so no tombstone is sent for them.
    expect(documents.map((d) => d.id).sort()).toEqual([...today.appointments].sort());
    expect(documents.some((d) => d._deleted)).toBe(false);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
  });

  it('a kiosk lets go of an appointment sent to it and moved off the day while its first pull runs', async () => {
    const { site, today } = await clinic();
    const token = await deviceToken(server, site.id, 'kiosk');
    const first = await api<PullResponse>(server.url, '/sync/appointments/pull?limit=2', { token });
    const [sent] = first.body.documents;
    const [stored] = await server.db.query<{ doc: Parameters<typeof changeRecord<'appointments'>>[1] }>(
      'SELECT doc FROM appointments WHERE id = $1',
      [sent!.id],
    );
    const nextWeek = new Date(Date.now() + 7 * 86_400_000);
    await writeRecords(server.db, 'appointments', [
      changeRecord(
        'appointments',
        stored!.doc,
        { start: nextWeek.toISOString(), end: new Date(nextWeek.getTime() + 20 * 60_000).toISOString() },
        clock,
      ),
    ]);
    const later = (await pullToEnd(token, 'appointments', 2, first.body.checkpoint)).pages.flat();
    // Once, and without whose it was.
    expect(later.filter((d) => d.id === sent!.id)).toEqual([
      expect.objectContaining({ _deleted: true, patientGivenName: '', identityKey: null }),
    ]);
    expect(today.appointments).toContain(sent!.id);
  });

  it('still sends a patient who joined today’s working set after the priority phase had passed them', async () => {
    const { site, provider, today } = await clinic();
    const token = await deviceToken(server, site.id, 'desk');
    const first = await api<PullResponse>(server.url, '/sync/patients/pull?limit=2', { token });
    expect(first.body.checkpoint?.phase).toBe('priority');
    // Written between the first two patients of the working set, so the priority phase has already passed them.
    const [late] = (await idsAt(site.id, 'patients', 'seq')).filter((id) => !today.patients.includes(id));
    const walkIn = createRecord(
      'appointments',
      newAppointment(site.id, late!, provider.id, todayAt(23 * 60)),
      clock,
      desk,
    );
    await writeRecords(server.db, 'appointments', [walkIn]);

    const received = [
      ...first.body.documents,
      ...(await pullToEnd(token, 'patients', 2, first.body.checkpoint)).pages.flat(),
    ];
    expect(received.map((d) => d.id).sort()).toEqual(await idsAt(site.id, 'patients'));
  });
});

describe('a page on the wire', () => {
  /** A pull as sent: status, headers and the bytes as they came, with `acceptEncoding` or no such header. */
  function rawPull(token: string, path: string, acceptEncoding: string | null) {
    return new Promise<{ headers: http.IncomingHttpHeaders; bytes: Buffer }>((resolve, reject) => {
      const request = http.get(
        `${server.url}${path}`,
        {
          headers: {
            authorization: `Bearer ${token}`,
            ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            expect(response.statusCode).toBe(200);
            resolve({ headers: response.headers, bytes: Buffer.concat(chunks) });
          });
        },
      );
      request.on('error', reject);
    });
  }

  it('is compressed when the client accepts it and the page is large, and arrives whole', async () => {
    const { site } = await seedSite(server.db, 'Wire Clinic');
    await writeRecords(
      server.db,
      'patients',
      Array.from({ length: 300 }, () => createRecord('patients', newPatient(site.id), clock, desk)),
    );
    const token = await deviceToken(server, site.id);
    // A first sync's page: hundreds of records.
    const page = '/sync/patients/pull?limit=300';

    const plain = await rawPull(token, page, null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const json = plain.bytes.toString('utf8');
    expect((JSON.parse(json) as PullResponse).documents).toHaveLength(300);

    const decoders = { gzip: gunzipSync, br: brotliDecompressSync };
    for (const [accepted, expected] of [
      ['gzip, deflate', 'gzip'],
      ['gzip, deflate, br', 'br'],
    ] as const) {
      const sent = await rawPull(token, page, accepted);
      expect(sent.headers['content-encoding']).toBe(expected);
      expect(sent.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(sent.headers['content-length'])).toBe(sent.bytes.length);
      expect(sent.bytes.length).toBeLessThan(json.length / 4);
      expect(decoders[expected](sent.bytes).toString('utf8')).toBe(json);
    }

    // A page of a few records, as near the head, goes as it is.
    const small = await rawPull(token, '/sync/patients/pull?limit=20', 'gzip, deflate, br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(small.bytes.toString('utf8')) as PullResponse).documents).toHaveLength(20);
  });
});

describe('a revoked device', () => {
  async function revokedAfterFirstPull() {
    const { site } = await clinic();
    const { deviceId, token } = await enrolledDevice(server, site.id, 'desk');
    const readsBy = async () =>
      (
        await server.db.query<{ record_count: number }>(
          `SELECT record_count FROM audit_events WHERE actor_id = $1 AND via = 'sync.pull' ORDER BY id`,
          [deviceId],
        )
      ).map((r) => r.record_count);
    const before = await api<PullResponse>(server.url, '/sync/patients/pull?limit=100', { token });
    expect(before.status).toBe(200);
    expect(await readsBy()).toEqual([12]);
    return { site, deviceId, token, readsBy, checkpoint: before.body.checkpoint };
  }

  it('is refused its next pull with `revoked`, and nothing it was refused is recorded as read', async () => {
    const { deviceId, token, readsBy } = await revokedAfterFirstPull();
    await server.db.query(`UPDATE devices SET revoked_at = now() WHERE id = $1`, [deviceId]);
    const after = await api<{ error: { code: string } }>(server.url, '/sync/patients/pull?limit=100', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('revoked');
    expect(await readsBy()).toEqual([12]);
  });

  it('following the head is refused too, though its page is read in the same statement that checks it', async () => {
    const { site, deviceId, token, readsBy, checkpoint } = await revokedAfterFirstPull();
    const patient = createRecord('patients', newPatient(site.id), clock, desk);
    await writeRecords(server.db, 'patients', [patient]);
    const next = `/sync/patients/pull?limit=100&checkpoint=${encodeURIComponent(JSON.stringify(checkpoint))}`;
    const live = await api<PullResponse>(server.url, next, { token });
    expect(live.body.documents.map((d) => d.id)).toEqual([patient.id]);
    expect(await readsBy()).toEqual([12, 1]);

    await server.db.query(`UPDATE devices SET revoked_at = now() WHERE id = $1`, [deviceId]);
    const after = await api<{ error: { code: string } }>(server.url, next, { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('revoked');
    expect(await readsBy()).toEqual([12, 1]);
  });
});
