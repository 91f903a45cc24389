import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appointmentLifecycle,
  canonicalJson,
  checkTransition,
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  queueLifecycle,
  type Actor,
  type Lifecycle,
  type StatusEvent,
} from '@medisync/shared/domain';
import type { PullResponse } from '@medisync/shared/sync';
import { api, enrolledDevice } from '#auth/testing';
import { newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { serverRules } from './rules.js';
import { writeRecords } from './store.js';

/**
 * Whatever a device pushes, however it shapes the status log (rewritten
 * events, reused clocks, steps its role may not make, events in someone else's
 * name, other fields changed along the way), what the server then holds obeys
 * the lifecycle: recorded events are unchanged, every new event is a step the
 * pusher's role may make, made by the pusher, and a kiosk changes nothing but
 * the status.
 */

let server: TestServer;
const clock = new HybridClock('push-rules');
const seeder: Actor = { id: 'push-rules', role: 'server', source: 'server' };
let site: { id: string };
let providerId: string;
let devices: Record<'desk' | 'kiosk' | 'display', { deviceId: string; token: string }>;

beforeAll(async () => {
  server = await startTestServer();
  const seeded = await seedSite(server.db, 'Push Rules Clinic');
  site = seeded.site;
  providerId = seeded.provider.id;
  devices = {
    desk: await enrolledDevice(server, site.id, 'desk'),
    kiosk: await enrolledDevice(server, site.id, 'kiosk'),
    display: await enrolledDevice(server, site.id, 'display'),
  };
});
afterAll(async () => {
  await server?.close();
});

type Collection = 'appointments' | 'queueEntries';
const TABLE: Record<Collection, string> = { appointments: 'appointments', queueEntries: 'queue_entries' };
const LIFECYCLE: Record<Collection, Lifecycle<string>> = {
  appointments: appointmentLifecycle as Lifecycle<string>,
  queueEntries: queueLifecycle as Lifecycle<string>,
};
/** Fields the status log decides, and bookkeeping that follows it. */
const LIFECYCLE_FIELDS = new Set([
  'statusLog',
  'status',
  'checkedInAt',
  'checkInSource',
  'calledAt',
  'attention',
  'needsAttention',
]);

/** A fresh appointment booked today and its patient waiting in the queue. */
async function freshRecords() {
  const patient = createRecord('patients', newPatient(site.id), clock, seeder);
  const start = new Date(dayRangeUtc(localDateAt(new Date(), 'UTC'), 'UTC').start.getTime() + 13 * 3_600_000);
  const appointment = createRecord(
    'appointments',
    newAppointment(site.id, patient.id, providerId, start),
    clock,
    seeder,
  );
  const entry = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: site.id,
      appointmentId: appointment.id,
      patientId: patient.id,
      queue: 'reception',
      ticketCode: `A-${String(Math.floor(Math.random() * 900) + 100)}`,
      priority: 'normal',
      status: 'waiting',
      checkedInAt: new Date().toISOString(),
      roomId: null,
    },
    clock,
    seeder,
  );
  await writeRecords(server.db, 'patients', [patient], { rules: serverRules });
  await writeRecords(server.db, 'appointments', [appointment]);
  await writeRecords(server.db, 'queueEntries', [entry]);
  return { appointments: appointment.id, queueEntries: entry.id };
}

async function stored(collection: Collection, id: string): Promise<Record<string, unknown>> {
  const [row] = await server.db.query<{ doc: Record<string, unknown> }>(
    `SELECT doc FROM ${TABLE[collection]} WHERE id = $1`,
    [id],
  );
  return row!.doc;
}

/** One way of shaping a pushed status log, with the values it picks. */
const logEdit = fc.oneof(
  fc.record({
    kind: fc.constant('rewrite' as const),
    index: fc.nat(),
    to: fc.nat(),
    from: fc.nat(),
    by: fc.constantFrom('self', 'other', '\uffff'),
    source: fc.constantFrom('desk', 'kiosk', 'api', 'server'),
  }),
  fc.record({
    kind: fc.constant('add' as const),
    to: fc.nat(),
    from: fc.nat(),
    by: fc.constantFrom('self', 'self', 'other'),
    source: fc.constantFrom('desk', 'kiosk', 'kiosk', 'api', 'server'),
    reuseHlc: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
);
const fieldEdit = fc.constantFrom('none', 'start', 'notes', 'ticketCode', 'priority', 'siteId');

type LogEdit = typeof logEdit extends fc.Arbitrary<infer T> ? T : never;

function shapeLog(
  log: StatusEvent<string>[],
  edits: readonly LogEdit[],
  lifecycle: Lifecycle<string>,
  self: string,
): StatusEvent<string>[] {
  const pick = <T>(items: readonly T[], n: number) => items[n % items.length]!;
  const by = (who: string) => (who === 'self' ? self : who);
  const next = [...log];
  for (const edit of edits) {
    if (edit.kind === 'rewrite' && next.length > 0) {
      const i = edit.index % next.length;
      next[i] = {
        ...next[i]!,
        to: pick(lifecycle.statuses, edit.to),
        from: pick([null, ...lifecycle.statuses], edit.from),
        by: by(edit.by),
        source: edit.source,
      };
    } else if (edit.kind === 'add') {
      next.push({
        from: pick([null, ...lifecycle.statuses], edit.from),
        to: pick(lifecycle.statuses, edit.to),
        hlc: edit.reuseHlc && next.length > 0 ? next[next.length - 1]!.hlc : clock.tick(),
        by: by(edit.by),
        source: edit.source,
      });
    } else if (edit.kind === 'drop' && next.length > 0) {
      next.splice(edit.index % next.length, 1);
    }
  }
  return next;
}

function changeField(doc: Record<string, unknown>, field: string): Record<string, unknown> {
  const clocks = { ...(doc.clocks as Record<string, string>), [field]: clock.tick() };
  switch (field) {
    case 'start':
      return doc.start === undefined ? doc : { ...doc, start: new Date(Date.now() + 86_400_000).toISOString(), clocks };
    case 'notes':
      return { ...doc, notes: 'changed by the pusher', clocks };
    case 'ticketCode':
      return doc.ticketCode === undefined ? doc : { ...doc, ticketCode: 'Z-999', clocks };
    case 'priority':
      return doc.priority === undefined ? doc : { ...doc, priority: 'urgent', clocks };
    case 'siteId':
      return { ...doc, siteId: newId(), clocks };
    default:
      return doc;
  }
}

describe.each(['desk', 'kiosk', 'display'] as const)('a %s pushing shaped status logs', (role) => {
  it('never changes a recorded event, makes only the steps its role may, in its own name', async () => {
    const device = () => devices[role];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Collection>('appointments', 'queueEntries'),
        fc.array(logEdit, { minLength: 1, maxLength: 4 }),
        fieldEdit,
        async (collection, edits, field) => {
          const ids = await freshRecords();
          const id = ids[collection];
          const before = await stored(collection, id);
          // The pusher starts from what it holds: its own view of the record.
          const viewToken = role === 'display' ? devices.desk.token : device().token;
          const pulled = await api<PullResponse>(server.url, `/sync/${collection}/pull?limit=500`, {
            token: viewToken,
          });
          const held = pulled.body.documents.find((d) => d.id === id) as Record<string, unknown>;
          const lifecycle = LIFECYCLE[collection];
          const pushed = changeField(
            {
              ...held,
              statusLog: shapeLog(held.statusLog as StatusEvent<string>[], edits, lifecycle, device().deviceId),
            },
            field,
          );
          const answer = await api(server.url, `/sync/${collection}/push`, {
            token: device().token,
            body: [{ newDocumentState: pushed, assumedMasterState: held }],
          });
          expect(answer.status).toBeLessThan(500);

          const after = await stored(collection, id);
          const recorded = before.statusLog as StatusEvent<string>[];
          const now = after.statusLog as StatusEvent<string>[];
          const nowByHlc = new Map(now.map((e) => [e.hlc, canonicalJson(e)]));
          for (const event of recorded) expect(nowByHlc.get(event.hlc)).toBe(canonicalJson(event));
          const known = new Set(recorded.map((e) => e.hlc));
          for (const event of now.filter((e) => !known.has(e.hlc))) {
            expect(checkTransition(lifecycle, role, event.from, event.to)).toEqual({ ok: true });
            expect(event.by).toBe(device().deviceId);
          }
          if (role !== 'desk') {
            for (const [key, value] of Object.entries(after)) {
              if (LIFECYCLE_FIELDS.has(key)) continue;
              if (key === 'clocks') continue;
              expect(value, key).toEqual(before[key]);
            }
          }
          expect(after.siteId).toBe(site.id);
        },
      ),
      { numRuns: 20 },
    );
  });
});
