import { changeRecord, createRecord, HybridClock, newId, type Actor, type Notice } from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '#auth/testing';
import { deviceToken, newPatient, seedSite } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { writeRecords } from '#sync/store';

const clock = new HybridClock('a-desk');
const desk: Actor = { id: 'a-desk', role: 'desk', source: 'desk' };

describe('notices are the server’s: staff only mark them read', () => {
  let server: TestServer;
  let siteId: string;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    siteId = (await seedSite(server.db)).site.id;
    token = await deviceToken(server, siteId, 'desk');
  });
  afterAll(async () => {
    await server?.close();
  });

  const push = (notice: Notice) =>
    api<{ rejected: { error: { message: string } }[] }>(server.url, '/sync/notices/push', {
      token,
      body: [{ newDocumentState: notice, assumedMasterState: null }],
    });

  it('refuses a notice a desk makes up, and keeps only the read mark of one it pushes back', async () => {
    const patient = createRecord('patients', newPatient(siteId), clock, desk);
    await writeRecords(server.db, 'patients', [patient]);
    const made = createRecord(
      'notices',
      {
        id: newId(),
        siteId,
        kind: 'patient-cancelled',
        raisedAt: new Date().toISOString(),
        appointmentId: null,
        patientId: patient.id,
        offer: null,
        delivery: null,
        flag: null,
        readAt: null,
        readBy: null,
      },
      clock,
      desk,
    );
    expect((await push(made)).body.rejected).toMatchObject([
      { error: { message: expect.stringContaining('raised by the server') } },
    ]);

    const raised = await server.reminders.notices.raise(`patient-cancelled:test-${newId()}`, {
      kind: 'patient-cancelled',
      siteId,
      appointmentId: null,
      patientId: patient.id,
    });
    const tampered = changeRecord(
      'notices',
      raised,
      { readAt: new Date().toISOString(), readBy: 'a-desk', kind: 'online-booking' },
      clock,
    );
    expect((await push(tampered)).body.rejected).toEqual([]);
    const [row] = await server.db.query<{ doc: Notice }>('SELECT doc FROM notices WHERE id = $1', [raised.id]);
    expect(row!.doc).toMatchObject({ kind: 'patient-cancelled', readAt: tampered.readAt, readBy: 'a-desk' });
  });

  it('lets handled notices leave the desks after thirty days, and keeps unread ones however old', async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    const raise = (key: string) =>
      server.reminders.notices.raise(`expiry-test:${key}:${newId()}`, {
        kind: 'online-booking',
        siteId,
        appointmentId: null,
        patientId: null,
      });
    const handled = await raise('handled');
    const unread = await raise('unread');
    await server.db.query(
      `UPDATE notices SET doc = doc || jsonb_build_object('raisedAt', $2::text, 'readAt', CASE WHEN id = $1 THEN $2 END)
        WHERE id = ANY($3::uuid[])`,
      [handled.id, old, [handled.id, unread.id]],
    );
    // Every instance's rounds expire too; whichever runs first, the outcome is the same.
    await server.reminders.notices.expire();
    const rows = await server.db.query<{ id: string; deleted: boolean }>(
      'SELECT id, deleted FROM notices WHERE id = ANY($1::uuid[]) ORDER BY deleted',
      [[handled.id, unread.id]],
    );
    expect(rows).toEqual([
      { id: unread.id, deleted: false },
      { id: handled.id, deleted: true },
    ]);
  });
});
