import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { api, enrolledDevice } from '#auth/testing';
import { eventually, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { verifySignature } from './signature.js';

interface Received {
  id: string;
  type: string;
  body: { id: string; type: string; data: { record: { id: string } } };
  signed: boolean;
}

/** A receiver on loopback that fails the first `failFirst` attempts of every event. */
async function startReceiver(failFirst: number) {
  let secret = '';
  const attempts = new Map<string, number>();
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const id = String(req.headers['medisync-event-id']);
      const seen = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, seen);
      if (seen <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      received.push({
        id,
        type: String(req.headers['medisync-event-type']),
        body: JSON.parse(raw) as Received['body'],
        signed: verifySignature(secret, req.headers['medisync-signature'] as string | undefined, raw),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    attempts,
    setSecret: (s: string) => (secret = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { pollMs: 50, retryBaseMs: 50, retryMaxMs: 400 } });
  site = await seedSite(server.db);
  await seedSchedule(server.db, site.site.id, site.provider.id);
  key = await apiClientKey(server.db, site.site.id);
});
afterAll(async () => {
  await server?.close();
});

const call = <T = Record<string, unknown>>(path: string, body?: unknown) =>
  api<T>(server.url, `/api/v1${path}`, { token: key, ...(body === undefined ? {} : { body }) });

describe('webhooks', () => {
  it('a receiver that fails its first attempts still gets every event, signed, none lost, each once', async () => {
    const receiver = await startReceiver(2);
    try {
      const created = await call<{ subscription: { id: string }; secret: string }>('/webhooks', {
        url: receiver.url,
        events: ['patient.created', 'patient.updated', 'appointment.booked', 'appointment.cancelled'],
      });
      expect(created.status).toBe(201);
      receiver.setSecret(created.body.secret);

      const patients: string[] = [];
      for (let i = 0; i < 4; i++) {
        const p = await call<{ id: string }>('/patients', {
          givenName: `Hook${i}`,
          familyName: 'Receiver',
          dob: '1970-01-01',
          sex: 'male',
        });
        patients.push(p.body.id);
      }
      const slot = (await call<{ data: { start: string }[] }>(`/providers/${site.provider.id}/slots?date=${tomorrow}`))
        .body.data[0]!;
      const booked = await call<{ id: string }>('/appointments', {
        patientId: patients[0],
        providerId: site.provider.id,
        start: slot.start,
        visitType: 'hook',
      });
      await call(`/appointments/${booked.body.id}/cancel`, {});

      await eventually(() => expect(receiver.received).toHaveLength(6), 30_000);
      expect(receiver.received.every((r) => r.signed)).toBe(true);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(6);
      expect(
        receiver.received
          .filter((r) => r.type === 'patient.created')
          .map((r) => r.body.data.record.id)
          .sort(),
      ).toEqual([...patients].sort());
      expect(receiver.received.map((r) => r.type)).toContain('appointment.booked');
      // Each payload carries the record as REST answers it, never the replicas' merge machinery.
      for (const event of receiver.received) {
        const record = event.body.data.record as Record<string, unknown>;
        expect(record).not.toHaveProperty('clocks');
        expect(record).not.toHaveProperty('statusLog');
        const path = event.type.startsWith('patient') ? 'patients' : 'appointments';
        const rest = await call<Record<string, unknown>>(`/${path}/${String(record.id)}`);
        expect(Object.keys(record).sort()).toEqual(Object.keys(rest.body).sort());
      }
      expect(receiver.received.map((r) => r.type)).toContain('appointment.cancelled');
      expect([...receiver.attempts.values()].every((n) => n === 3)).toBe(true);

      const log = await call<{ data: { state: string; attempts: number; log: { status: number }[] }[] }>(
        `/webhooks/${created.body.subscription.id}/deliveries`,
      );
      expect(log.body.data).toHaveLength(6);
      for (const delivery of log.body.data) {
        expect(delivery).toMatchObject({ state: 'delivered', attempts: 3 });
        expect(delivery.log.map((a) => a.status)).toEqual([503, 503, 204]);
      }
      await api(server.url, `/api/v1/webhooks/${created.body.subscription.id}`, { token: key, method: 'DELETE' });
    } finally {
      await receiver.close();
    }
  });

  it('a check-in made on an offline device raises appointment.checked_in once, after the device syncs', async () => {
    const receiver = await startReceiver(0);
    const created = await call<{ secret: string }>('/webhooks', {
      url: receiver.url,
      events: ['appointment.checked_in'],
    });
    receiver.setSecret(created.body.secret);
    const patient = await call<{ id: string }>('/patients', {
      givenName: 'Offline',
      familyName: 'Arrival',
      dob: '1980-05-05',
      sex: 'female',
    });
    const slot = (await call<{ data: { start: string }[] }>(`/providers/${site.provider.id}/slots?date=${tomorrow}`))
      .body.data[1]!;
    const appointment = await call<{ id: string }>('/appointments', {
      patientId: patient.body.id,
      providerId: site.provider.id,
      start: slot.start,
      visitType: 'offline',
    });
    const device = await SimulatedDevice.start({
      ...(await enrolledDevice(server, site.site.id, 'desk')),
      serverPort: server.port,
    });
    try {
      await eventually(async () => expect(await device.get('appointments', appointment.body.id)).not.toBeNull());
      device.goOffline();
      await eventually(async () => expect((await device.state()).status).toBe('offline'));
      await device.transition('appointments', appointment.body.id, 'checked-in');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received).toHaveLength(0);
      expect((await device.state()).pending).toBe(1);
      device.goOnline();
      await eventually(async () => expect((await device.state()).pending).toBe(0), 30_000);
      await eventually(() => expect(receiver.received).toHaveLength(1), 30_000);
      expect(receiver.received[0]).toMatchObject({ type: 'appointment.checked_in', signed: true });
      expect(receiver.received[0]!.body.data.record.id).toBe(appointment.body.id);
      // Nothing more arrives: the device's later syncs write nothing new.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(receiver.received).toHaveLength(1);
    } finally {
      await device.stop();
      await receiver.close();
    }
  }, 120_000);
});
