import {
  createRecord,
  HybridClock,
  transitionRecord,
  type Actor,
  type Appointment,
  type Patient,
} from '@medisync/shared/domain';
import type { PushResponse } from '@medisync/shared/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, enrolledDevice } from '#auth/testing';
import { deviceToken, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { serverRules } from './rules.js';
import { pushRecords, type PushOptions } from './store.js';

let server: TestServer;
let siteId: string;
const clock = new HybridClock('store-test');
const desk: Actor = { id: 'store-test', role: 'desk', source: 'desk' };

beforeAll(async () => {
  server = await startTestServer();
  siteId = (await seedSite(server.db)).site.id;
});
afterAll(async () => {
  await server?.close();
});

const patient = (givenName: string) => createRecord('patients', newPatient(siteId, { givenName }), clock, desk);
const row = (record: object) => ({ newDocumentState: { ...record, _deleted: false } });

async function storedIds(ids: string[]): Promise<string[]> {
  const rows = await server.db.query<{ id: string }>('SELECT id FROM patients WHERE id = ANY($1::uuid[])', [ids]);
  return rows.map((r) => r.id).sort();
}

describe('one bad row in a push', () => {
  it('a NUL character or a lone surrogate is rejected naming the field; the rest of the batch is stored', async () => {
    const token = await deviceToken(server, siteId);
    const good = [patient('Ana'), patient('Zoë 😀')];
    const nul = { ...patient('Ann'), givenName: 'A\u0000B' };
    const surrogate = { ...patient('Bea'), familyName: 'x\ud800' };
    // A key of a free-form map is text too.
    const badKey = patient('Kim');
    badKey.clocks = { ...badKey.clocks, 'phone\u0000': clock.tick() };
    const answer = await api<PushResponse>(server.url, '/sync/patients/push', {
      token,
      body: [row(good[0]!), row(nul), row(surrogate), row(badKey), row(good[1]!)],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.rejected.map((r) => [r.id, r.error.code, r.error.details.issues?.[0]?.path])).toEqual([
      [nul.id, 'invalid-record', 'givenName'],
      [surrogate.id, 'invalid-record', 'familyName'],
      [badKey.id, 'invalid-record', 'clocks.phone\u0000'],
    ]);
    expect(await storedIds([...good, nul, surrogate, badKey].map((p) => p.id))).toEqual(good.map((p) => p.id).sort());
  });

  it('a value the database refuses though validation passed fails only that row, with the reason', async () => {
    const batch = [patient('Cai'), patient('Dee'), patient('Eve')];
    const culprit = batch[1]!.id;
    const result = await pushRecords(
      server.db,
      'patients',
      batch.map((p) => row(p)),
      {
        // Stands in for any statement of the write's transaction that trips on this one record.
        afterWrite: async (tx, _collection, writes) => {
          for (const { next } of writes) await tx.query('SELECT $1::int', [next.id === culprit ? 'not a number' : '1']);
        },
      },
    );
    expect(result.rejected).toEqual([
      {
        id: culprit,
        error: {
          code: 'unstorable-record',
          message: expect.stringContaining(
            `patients record ${culprit} could not be stored: invalid input syntax`,
          ) as unknown,
          details: { sqlState: '22P02' },
        },
      },
    ]);
    const stored = [batch[0]!.id, batch[2]!.id].sort();
    expect(await storedIds(batch.map((p) => p.id))).toEqual(stored);
    // The stored rows still reach other devices live.
    expect(result.changes.flatMap((c) => c.records.map((r) => r.doc.id)).sort()).toEqual(stored);
  });

  it('a failure that is not about a value still fails the whole push, storing nothing', async () => {
    const batch = [patient('Fay'), patient('Gus')];
    await expect(
      pushRecords(
        server.db,
        'patients',
        batch.map((p) => row(p)),
        {
          afterWrite: async () => {
            throw new Error('outbox unavailable');
          },
        },
      ),
    ).rejects.toThrow('outbox unavailable');
    expect(await storedIds(batch.map((p) => p.id))).toEqual([]);
  });
});

describe('clashes within one push', () => {
  it('are judged as if its rows were stored one after another: twins and a double booking flagged, MRNs distinct', async () => {
    const { site, provider } = await seedSite(server.db, 'One Push Clinic');
    const { token, deviceId } = await enrolledDevice(server, site.id, 'desk');
    const device: Actor = { id: deviceId, role: 'desk', source: 'desk' };
    const first = createRecord(
      'patients',
      newPatient(site.id, { familyName: 'Twin', dob: '1990-02-03' }),
      clock,
      device,
    );
    const second = createRecord(
      'patients',
      newPatient(site.id, { familyName: 'twin', dob: '1990-02-03' }),
      clock,
      device,
    );
    const other = createRecord('patients', newPatient(site.id, { familyName: 'Other' }), clock, device);
    const pushed = await api<PushResponse>(server.url, '/sync/patients/push', {
      token,
      body: [row(first), row(second), row(other)],
    });
    expect(pushed.body.rejected).toEqual([]);
    const patients = new Map(
      (
        await server.db.query<{ id: string; doc: Patient }>('SELECT id, doc FROM patients WHERE id = ANY($1::uuid[])', [
          [first.id, second.id, other.id],
        ])
      ).map((r) => [r.id, r.doc]),
    );
    // The later of the two carries the flag, naming the earlier.
    expect(Object.keys(patients.get(second.id)!.attention)).toEqual([`probable-duplicate-patient:${first.id}`]);
    expect(patients.get(first.id)!.attention).toEqual({});
    expect(patients.get(other.id)!.attention).toEqual({});
    const mrns = [...patients.values()].map((p) => p.mrn);
    expect(mrns.every((mrn) => mrn !== null)).toBe(true);
    expect(new Set(mrns).size).toBe(3);

    const at = new Date(Date.UTC(2031, 0, 6, 9));
    const booked = createRecord('appointments', newAppointment(site.id, first.id, provider.id, at), clock, device);
    const clash = createRecord('appointments', newAppointment(site.id, second.id, provider.id, at), clock, device);
    const later = createRecord(
      'appointments',
      newAppointment(site.id, other.id, provider.id, new Date(at.getTime() + 3_600_000)),
      clock,
      device,
    );
    const answer = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token,
      body: [row(booked), row(clash), row(later)],
    });
    expect(answer.body.rejected).toEqual([]);
    const flags = new Map(
      (
        await server.db.query<{ id: string; doc: Appointment }>(
          'SELECT id, doc FROM appointments WHERE id = ANY($1::uuid[])',
          [[booked.id, clash.id, later.id]],
        )
      ).map((r) => [r.id, Object.keys(r.doc.attention)]),
    );
    expect(Object.fromEntries(flags)).toEqual({
      [booked.id]: [],
      [clash.id]: [`overlapping-booking:${booked.id}`],
      [later.id]: [],
    });
  });
});

describe('pushes waiting for the same site', () => {
  /** The change-feed entries that carry any of these records: one per transaction that wrote them. */
  async function feedEntries(ids: string[]): Promise<number> {
    const [row] = await server.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM change_feed
        WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(records) r WHERE r->'doc'->>'id' = ANY($1::text[]))`,
      [ids],
    );
    return Number(row!.n);
  }

  /** Every push started at once, so all of them wait for the site together; push `i` with `options(i)`. */
  const pushTogether = (pushes: object[][], options: (i: number) => PushOptions) =>
    pushes.map((records, i) =>
      pushRecords(
        server.db,
        'patients',
        records.map((r) => row(r)),
        options(i),
      ),
    );

  it('are stored in one transaction, each answered with its own refusals and conflicts, judged in turn', async () => {
    const { site } = await seedSite(server.db, 'Busy Morning Clinic');
    const at = (name: string, extra: Partial<Parameters<typeof newPatient>[1]> = {}) =>
      createRecord('patients', newPatient(site.id, { givenName: name, ...extra }), clock, desk);
    // Stored before: one push below still assumes its first state.
    const known = at('Known');
    await pushRecords(server.db, 'patients', [row(known)], { rules: serverRules });
    const edited = { ...known, phone: '+15550100' };
    const twinA = at('Twin', { familyName: 'Sametwin', dob: '1991-04-05' });
    const twinB = at('Twin', { familyName: 'Sametwin', dob: '1991-04-05' });
    const refused = at('Refused');
    const pushes = [
      [at('A1'), at('A2')],
      [twinA],
      [refused, at('C1')],
      // Assumes a state that is no longer current (no assumed state for a stored record).
      [edited],
      [twinB, at('E1')],
    ];
    const options = (i: number): PushOptions => ({
      rules: serverRules,
      // Each push's own principal: only the third may not write "Refused".
      mayWrite: (_c, next) => (i === 2 && next.id === refused.id ? 'not this one' : null),
      beforeCommit: async (tx, rejected) => {
        await tx.query('SELECT 1');
        audits[i] = rejected.map((r) => r.id);
      },
    });
    const audits: (string | null)[][] = [];
    const results = await Promise.all(pushTogether(pushes, options));

    expect(results.map((r) => r.rejected.map((x) => [x.id, x.error.code]))).toEqual([
      [],
      [],
      [[refused.id, 'forbidden']],
      [],
      [],
    ]);
    // Each push hears of what differs from what it sent: its new patients' MRNs, and the edit's stale assumption.
    expect(results.map((r) => r.conflicts.map((c) => c.id))).toEqual(
      pushes.map((records) => records.map((r) => r.id).filter((id) => id !== refused.id)),
    );
    expect(results.every((r) => r.committedWith)).toBe(true);
    expect(audits).toEqual([[], [], [refused.id], [], []]);
    const ids = pushes.flat().map((r) => r.id);
    expect(await storedIds(ids)).toEqual(ids.filter((id) => id !== refused.id).sort());
    // The twin pushed later is flagged, naming the earlier, as within one push.
    const [stored] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [twinB.id]);
    expect(Object.keys(stored!.doc.attention)).toEqual([`probable-duplicate-patient:${twinA.id}`]);
    // Written together: one change of the site for every device to hear of, not five.
    expect(await feedEntries(ids.filter((id) => id !== known.id))).toBe(1);
  });

  it("fail apart: a row the database refuses, or a push's own failure, costs only that push", async () => {
    const { site } = await seedSite(server.db, 'Failing Apart Clinic');
    const at = (name: string) => createRecord('patients', newPatient(site.id, { givenName: name }), clock, desk);
    const culprit = at('Culprit');
    const pushes = [[at('F1'), at('F2')], [at('G1'), culprit], [at('H1')], [at('J1')]];
    const shared: PushOptions = {
      rules: serverRules,
      // Stands in for any statement of the transaction that trips on one record.
      afterWrite: async (tx, _collection, writes) => {
        for (const { next } of writes) await tx.query('SELECT $1::int', [next.id === culprit.id ? 'x' : '1']);
      },
    };
    const results = await Promise.allSettled(
      pushTogether(pushes, (i) =>
        i === 3
          ? {
              ...shared,
              beforeCommit: async () => {
                throw new Error('audit unavailable');
              },
            }
          : shared,
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const answers = results.map((r) =>
      r.status === 'fulfilled' ? r.value.rejected.map((x) => [x.id, x.error.code]) : null,
    );
    expect(answers.slice(0, 3)).toEqual([[], [[culprit.id, 'unstorable-record']], []]);
    expect((results[3] as PromiseRejectedResult).reason).toEqual(new Error('audit unavailable'));
    const ids = pushes.flat().map((p) => p.id);
    expect(await storedIds(ids)).toEqual(
      pushes
        .slice(0, 3)
        .flat()
        .filter((p) => p.id !== culprit.id)
        .map((p) => p.id)
        .sort(),
    );
  });
});

describe('a clash of bookings', () => {
  it('is flagged once, on the booking that made it: the other visit checking in raises nothing on it', async () => {
    const { site, provider } = await seedSite(server.db, 'Clash Once Clinic');
    const { token, deviceId } = await enrolledDevice(server, site.id, 'desk');
    const device: Actor = { id: deviceId, role: 'desk', source: 'desk' };
    const [early, late] = [patient('Early'), patient('Late')].map((p) => ({ ...p, siteId: site.id }));
    await api(server.url, '/sync/patients/push', { token, body: [row(early!), row(late!)] });
    const at = new Date(Date.UTC(2031, 0, 7, 9));
    const first = createRecord('appointments', newAppointment(site.id, early!.id, provider.id, at), clock, device);
    const over = createRecord('appointments', newAppointment(site.id, late!.id, provider.id, at), clock, device);
    await api(server.url, '/sync/appointments/push', { token, body: [row(first)] });
    await api(server.url, '/sync/appointments/push', { token, body: [row(over)] });
    const arrived = transitionRecord('appointments', first, 'arrived', clock, device);
    const answer = await api<PushResponse>(server.url, '/sync/appointments/push', {
      token,
      body: [{ newDocumentState: { ...arrived, _deleted: false }, assumedMasterState: { ...first, _deleted: false } }],
    });
    expect(answer.body.rejected).toEqual([]);
    const flags = Object.fromEntries(
      (
        await server.db.query<{ id: string; doc: Appointment }>(
          'SELECT id, doc FROM appointments WHERE id = ANY($1::uuid[])',
          [[first.id, over.id]],
        )
      ).map((r) => [r.id, Object.keys(r.doc.attention)]),
    );
    // One item in the inbox for one clash, not a second one when the first patient arrives.
    expect(flags).toEqual({ [first.id]: [], [over.id]: [`overlapping-booking:${first.id}`] });
  });
});
