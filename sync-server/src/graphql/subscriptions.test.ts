import type { Appointment } from '@medisync/shared/domain';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiClientKey } from '#api-clients/testing';
import { enrolledDevice } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';

/**
 * Subscriptions over graphql-ws, fed by the committed-change feed: a change
 * reaches a subscriber whichever way it was made (a desk device's sync, an
 * API call) and whichever server instance committed it.
 */
let first: TestServer;
let second: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
let desk: SimulatedDevice;
const clients: Client[] = [];

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({ databaseUrl: first.databaseUrl, tokenSecret: first.config.tokenSecret! });
  site = await seedSite(first.db);
  key = await apiClientKey(first.db, site.site.id);
  desk = await SimulatedDevice.start({ ...(await enrolledDevice(first, site.site.id)), serverPort: first.port });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await desk?.stop();
  await second?.close();
  await first?.close();
});

/**
 * Subscribes on `server` and collects what arrives; resolves once the server
 * has the subscription listening to its feed, so a change made next is seen.
 */
async function subscribe<T>(server: TestServer, query: string, variables: Record<string, unknown> = {}, apiKey = key) {
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const received: T[] = [];
  const errors: unknown[] = [];
  const listening = server.changes.subscribers;
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        if (message.data) received.push(message.data as T);
      },
      error: (error) => errors.push(...(Array.isArray(error) ? (error as unknown[]) : [error])),
      complete: () => undefined,
    },
  );
  await eventually(() => expect(server.changes.subscribers + errors.length).toBeGreaterThan(listening));
  return { received, errors, stop };
}

const APPOINTMENT_UPDATED = `subscription ($patientId: ID, $providerId: ID) {
  appointmentUpdated(patientId: $patientId, providerId: $providerId) { id status checkInSource patient { familyName } }
}`;

async function visitOnDesk(familyName: string, hour: number) {
  const patient = await desk.create<{ id: string }>('patients', newPatient(site.site.id, { familyName }));
  const start = new Date(`${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T${hour}:00:00.000Z`);
  const appointment = await desk.create<Appointment>(
    'appointments',
    newAppointment(site.site.id, patient.id, site.provider.id, start),
  );
  await desk.awaitInSync();
  return { patient, appointment };
}

describe('GraphQL subscriptions over graphql-ws', () => {
  it('delivers appointmentUpdated on another instance when a desk device checks the patient in through sync', async () => {
    const { patient, appointment } = await visitOnDesk('Arrives', 10);
    // The device syncs with the first instance; the subscriber listens on the second.
    const sub = await subscribe<{ appointmentUpdated: { id: string; status: string } }>(second, APPOINTMENT_UPDATED, {
      patientId: patient.id,
    });
    await desk.transition('appointments', appointment.id, 'checked-in');
    await eventually(() =>
      expect(sub.received.map((r) => r.appointmentUpdated)).toEqual([
        { id: appointment.id, status: 'CHECKED_IN', checkInSource: 'desk', patient: { familyName: 'Arrives' } },
      ]),
    );
    expect(sub.errors).toEqual([]);
    // The delivery is audited as a read of the appointment by the API client.
    const rows = await first.db.query<{ via: string }>(
      `SELECT via FROM audit_events WHERE action = 'read' AND $1 = ANY(record_ids) AND actor_kind = 'apiClient'`,
      [appointment.id],
    );
    expect(rows.map((r) => r.via)).toContain('graphql-ws appointmentUpdated');
  });

  it('delivers what another instance committed through the API, and only what the filter asks for', async () => {
    const mine = await visitOnDesk('Watched', 11);
    const other = await visitOnDesk('Unwatched', 12);
    const sub = await subscribe<{ appointmentUpdated: { id: string; status: string } }>(first, APPOINTMENT_UPDATED, {
      patientId: mine.patient.id,
      providerId: site.provider.id,
    });
    const cancel = async (id: string) => {
      const response = await fetch(`${second.url}/api/v1/appointments/${id}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
    };
    await cancel(other.appointment.id);
    await cancel(mine.appointment.id);
    await eventually(() =>
      expect(sub.received.map((r) => r.appointmentUpdated)).toMatchObject([
        { id: mine.appointment.id, status: 'CANCELLED' },
      ]),
    );
  });

  it('sends patientUpdated, queueUpdated and newNotification (the staff notice of a flag the server raised)', async () => {
    const { patient, appointment } = await visitOnDesk('Queued', 13);
    const patientSub = await subscribe<{ patientUpdated: { phone: string } }>(
      second,
      'subscription ($id: ID!) { patientUpdated(id: $id) { phone } }',
      { id: patient.id },
    );
    const queueSub = await subscribe<{ queueUpdated: { ticketCode: string; status: string } }>(
      second,
      'subscription { queueUpdated(queue: "reception") { ticketCode status patientId } }',
    );
    const notices = await subscribe<{ newNotification: { kind: string; code: string; recordId: string } }>(
      second,
      'subscription { newNotification { kind code collection recordId appointmentId } }',
    );
    await desk.change('patients', patient.id, { phone: '+1 555 0142' });
    const checkIn = await fetch(`${first.url}/api/v1/appointments/${appointment.id}/check-in`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(checkIn.status).toBe(200);
    // A second booking over the same time, made on a desk (offline desks cannot be refused): the server flags it.
    const clash = await desk.create<Appointment>(
      'appointments',
      newAppointment(site.site.id, patient.id, site.provider.id, new Date(appointment.start)),
    );
    await eventually(() => expect(patientSub.received).toEqual([{ patientUpdated: { phone: '+1 555 0142' } }]));
    await eventually(() =>
      expect(queueSub.received).toMatchObject([{ queueUpdated: { status: 'WAITING', patientId: patient.id } }]),
    );
    // The server flags the clash; the staff notice it raises for the flag reaches every instance's subscribers.
    await eventually(() =>
      expect(notices.received.map((n) => n.newNotification)).toContainEqual({
        kind: 'attention',
        code: 'overlapping-booking',
        collection: 'appointments',
        recordId: clash.id,
        appointmentId: clash.id,
      }),
    );
  });

  it('holds subscriptions to REST’s keys and scopes, and an unsubscribe stops listening to the feed at once', async () => {
    const scheduleOnly = await apiClientKey(first.db, site.site.id, ['schedules:read']);
    const refused = await subscribe(second, APPOINTMENT_UPDATED, {}, scheduleOnly);
    await eventually(() =>
      expect(refused.errors).toEqual([
        expect.objectContaining({
          extensions: { code: 'insufficient-scope', details: { scope: 'appointments:read' } },
        }),
      ]),
    );

    const closed = new Promise<number>((resolve) => {
      const socket = new WebSocket(`${second.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer msk_revoked' } })),
      );
      socket.on('close', (code) => resolve(code));
    });
    expect(await closed).toBe(4403);

    // A key revoked while subscribed: the next change ends the subscription instead of reaching it.
    const revokedLater = await apiClientKey(first.db, site.site.id);
    const watched = await subscribe<{ appointmentUpdated: { id: string } }>(
      second,
      APPOINTMENT_UPDATED,
      {},
      revokedLater,
    );
    await first.db.query(`UPDATE api_clients SET revoked_at = now() WHERE key_prefix = $1`, [
      revokedLater.slice(0, 10),
    ]);
    const { appointment } = await visitOnDesk('After-Revocation', 14);
    await eventually(() =>
      expect(watched.errors).toEqual([expect.objectContaining({ extensions: { code: 'token-invalid' } })]),
    );
    expect(watched.received.map((r) => r.appointmentUpdated.id)).not.toContain(appointment.id);

    const before = second.changes.subscribers;
    const sub = await subscribe(second, APPOINTMENT_UPDATED, {});
    expect(second.changes.subscribers).toBe(before + 1);
    sub.stop();
    await eventually(() => expect(second.changes.subscribers).toBe(before));
  });
});
