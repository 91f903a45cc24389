import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRecord, createRecord, HybridClock, type Actor, type Patient } from '@medisync/shared/domain';
import { PROTOCOL_VERSION, type PushResponse } from '@medisync/shared/sync';
import { enrolledDevice } from '#auth/testing';
import { newPatient, seedSite } from '#testing/fixtures';
import type { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { expectReplicasEqualServer } from './converged.js';
import { startDesks } from './devices.js';

/**
 * Drill: the same push delivered more than once (a response lost on the way
 * back and the request sent again, a proxy that retries, a replay arriving
 * after a newer write). Push is idempotent (docs/architecture.md §3.6): a
 * repeat stores nothing, takes no seq and raises no change.
 */
let server: TestServer;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await server?.close();
});

describe('drill: duplicate delivery of pushes', () => {
  it('repeats, concurrent or late, leave one record at its latest state with one committed change per real write', async () => {
    const { site } = await seedSite(server.db);
    devices.push(...(await startDesks(server, site.id, server.port, 1)));
    const { deviceId, token } = await enrolledDevice(server, site.id);
    const actor: Actor = { id: deviceId, role: 'desk', source: 'desk' };
    const clock = new HybridClock(deviceId);
    const push = async (doc: Patient, assumed: Patient | null) => {
      const response = await fetch(`${server.url}/sync/patients/push`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-medisync-protocol': String(PROTOCOL_VERSION),
          'content-type': 'application/json',
        },
        body: JSON.stringify([
          {
            newDocumentState: { ...doc, _deleted: false },
            assumedMasterState: assumed && { ...assumed, _deleted: false },
          },
        ]),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as PushResponse<Patient>;
      expect(body.rejected).toEqual([]);
      return body;
    };
    const stored = async () =>
      (
        await server.db.query<{ seq: string; doc: Patient }>('SELECT seq, doc FROM patients WHERE id = $1', [
          created.id,
        ])
      )[0]!;
    const committedChanges = async () =>
      Number(
        (
          await server.db.query<{ n: string }>(
            `SELECT count(*) AS n FROM change_feed, jsonb_array_elements(records) r WHERE r->'doc'->>'id' = $1`,
            [created.id],
          )
        )[0]!.n,
      );

    const created = createRecord('patients', newPatient(site.id), clock, actor);
    // Sent three times at once, then once more: one record, one MRN, one change.
    await Promise.all([push(created, null), push(created, null), push(created, null)]);
    const first = await stored();
    await push(created, null);
    expect(await stored()).toEqual(first);
    expect(first.doc.mrn).toMatch(/^MRN-/);
    expect(await committedChanges()).toBe(1);

    // A newer write, then the old push delivered late: the newer state stands.
    const edited = changeRecord('patients', first.doc, { phone: '+1 555 0123' }, clock);
    await push(edited, first.doc);
    const second = await stored();
    expect(second.doc.phone).toBe('+1 555 0123');
    const late = await push(created, null);
    // The late sender is told the current state, so it would adopt the newer phone.
    expect(late.conflicts.map((c) => c.phone)).toEqual(['+1 555 0123']);
    await push(edited, first.doc);
    expect(await stored()).toEqual(second);
    expect(await committedChanges()).toBe(2);

    await expectReplicasEqualServer(server.db, site.id, devices);
    expect((await devices[0]!.get<Patient>('patients', created.id))?.phone).toBe('+1 555 0123');
  });
});
