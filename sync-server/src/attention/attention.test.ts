import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, HybridClock, resolveFlag, type Appointment } from '@medisync/shared/domain';
import type { PushResponse } from '@medisync/shared/sync';
import { enrolledDevice } from '#auth/testing';
import { startTestServer, type TestServer } from '#testing/test-server';
import { deviceToken, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import type { AttentionItem } from './router.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function call<T>(path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('the conflicts inbox', () => {
  it('lists a double booking made on two desks offline until someone resolves it with a synced change', async () => {
    const { site, provider } = await seedSite(server.db);
    const { deviceId, token: desk } = await enrolledDevice(server, site.id);
    const actor = { id: deviceId, role: 'desk' as const, source: 'desk' as const };
    const start = new Date(Date.UTC(2026, 10, 23, 9, 0));
    // Two desks, each offline, book the provider's 09:00 for different patients.
    const [first, second] = ['desk-a', 'desk-b'].map((node) =>
      createRecord(
        'appointments',
        newAppointment(
          site.id,
          createRecord('patients', newPatient(site.id), new HybridClock(node), actor).id,
          provider.id,
          start,
        ),
        new HybridClock(node),
        actor,
      ),
    );
    for (const appointment of [first!, second!]) {
      const pushed = await call<PushResponse>('/sync/appointments/push', desk, [{ newDocumentState: appointment }]);
      expect(pushed.body.rejected).toEqual([]);
    }

    const inbox = await call<{ items: AttentionItem[] }>('/attention', desk);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    const [item] = inbox.body.items;
    expect(item).toMatchObject({ collection: 'appointments', id: second!.id });
    expect(item!.flags.map((f) => [f.key, f.code])).toEqual([
      [`overlapping-booking:${first!.id}`, 'overlapping-booking'],
    ]);

    const { rows } = await server.db.pool.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      second!.id,
    ]);
    const resolved = resolveFlag('appointments', rows[0]!.doc, item!.flags[0]!.key, actor, new Date());
    const pushed = await call<PushResponse>('/sync/appointments/push', desk, [
      { newDocumentState: { ...resolved, _deleted: false }, assumedMasterState: { ...rows[0]!.doc, _deleted: false } },
    ]);
    expect(pushed.body.rejected).toEqual([]);
    expect((await call<{ items: AttentionItem[] }>('/attention', desk)).body.items).toEqual([]);
  });

  it('is for staff only', async () => {
    const { site } = await seedSite(server.db);
    const kiosk = await deviceToken(server, site.id, 'kiosk');
    expect((await call('/attention', kiosk)).status).toBe(403);
  });
});
