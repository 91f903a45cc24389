import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REVOKED_EVENT } from '@medisync/shared/sync';
import { api, signIn, staffUser } from '#auth/testing';
import { eventually, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';

let server: TestServer;
let site: { id: string };
let admin: string;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startTestServer();
  site = (await seedSite(server.db, 'Enrollment Clinic')).site;
  admin = (await signIn(server.url, (await staffUser(server.db, [site.id], 'admin')).email)).accessToken;
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await server?.close();
});

type Enrolled = {
  deviceId: string;
  deviceToken: string;
  role: string;
  site: { id: string; name: string; timezone: string };
};

async function newCode(role: 'desktop' | 'kiosk' | 'display', label = 'Lobby') {
  const answer = await api<{ code: string; expiresAt: string }>(server.url, '/admin/enrollment-codes', {
    token: admin,
    body: { siteId: site.id, role, label },
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

const enroll = (code: string, name = 'Front kiosk') =>
  api<Enrolled>(server.url, '/devices/enroll', { body: { code, name } });

function socketFor(token: string): Socket {
  const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  cleanup.push(() => void socket.close());
  return socket;
}

describe('device enrollment', () => {
  it('exchanges a one-day, one-time human code for a device token of the code’s site and role', async () => {
    const { code, expiresAt } = await newCode('kiosk');
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const stored = await server.db.query<{ code_hash: Buffer }>('SELECT code_hash FROM enrollment_codes');
    expect(stored.every((row) => !row.code_hash.toString('utf8').includes(code.replaceAll('-', '')))).toBe(true);

    // Typed the way people type it off a sticky note.
    const enrolled = await enroll(` ${code.toLowerCase().replaceAll('-', ' ')} `);
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({
      role: 'kiosk',
      site: { id: site.id, name: 'Enrollment Clinic', timezone: 'UTC' },
    });
    const me = await api(server.url, '/auth/me', { token: enrolled.body.deviceToken });
    expect(me.body).toMatchObject({
      principal: { kind: 'device', id: enrolled.body.deviceId, role: 'kiosk', siteId: site.id },
      device: { id: enrolled.body.deviceId, name: 'Front kiosk', label: 'Lobby', revokedAt: null },
    });

    const again = await enroll(code, 'Second kiosk');
    expect(again.status).toBe(410);
    expect((again.body as unknown as { error: { code: string } }).error.code).toBe('enrollment-code-used');
  });

  it('enrolls a desktop as a front-desk device', async () => {
    const enrolled = await enroll((await newCode('desktop', 'Reception PC')).code, 'Reception 1');
    expect(enrolled.body.role).toBe('desk');
    const pull = await api(server.url, '/sync/patients/pull', { token: enrolled.body.deviceToken });
    expect(pull.status).toBe(200);
    const devices = await api<{ devices: { id: string; role: string; lastSeenAt: string | null }[] }>(
      server.url,
      '/admin/devices',
      {
        token: admin,
      },
    );
    expect(devices.body.devices.find((d) => d.id === enrolled.body.deviceId)).toMatchObject({ role: 'desk' });
    expect(devices.body.devices.find((d) => d.id === enrolled.body.deviceId)!.lastSeenAt).not.toBeNull();
  });

  it('refuses an expired code', async () => {
    const { code } = await newCode('display');
    await server.db.query(`UPDATE enrollment_codes SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL`);
    const answer = await enroll(code);
    expect(answer.status).toBe(410);
    expect((answer.body as unknown as { error: { code: string } }).error.code).toBe('enrollment-code-expired');
  });

  it('stops a guesser after ten wrong codes, before even looking at the next one', async () => {
    await server.db.query("DELETE FROM rate_limits WHERE key LIKE 'enroll:%'");
    const { code } = await newCode('kiosk');
    for (let i = 0; i < 10; i++) {
      const answer = await enroll(`222-222-${String(i).padStart(3, '2').replace(/[01]/g, '3')}`);
      expect(answer.status).toBe(401);
    }
    const blocked = await enroll(code);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const unused = await server.db.query('SELECT 1 FROM enrollment_codes WHERE used_at IS NULL AND expires_at > now()');
    expect(unused).toHaveLength(1);
    await server.db.query("DELETE FROM rate_limits WHERE key LIKE 'enroll:%'");
    expect((await enroll(code)).status).toBe(201);
  });
});

describe('revocation', () => {
  it('cuts a revoked device off at once: its socket is told and closed, its next pull, push and connection are refused', async () => {
    const enrolled = (await enroll((await newCode('desktop')).code, 'Doomed desk')).body;
    const device = await SimulatedDevice.start({
      deviceId: enrolled.deviceId,
      serverPort: server.port,
      token: enrolled.deviceToken,
    });
    cleanup.push(() => device.stop());
    await eventually(async () => expect((await device.state()).status).toBe('online'));

    const socket = socketFor(enrolled.deviceToken);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const told = new Promise<unknown>((resolve) => socket.once(REVOKED_EVENT, resolve));
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    const revoked = await api<{ device: { revokedAt: string | null } }>(
      server.url,
      `/admin/devices/${enrolled.deviceId}/revoke`,
      {
        token: admin,
        method: 'POST',
      },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.device.revokedAt).not.toBeNull();
    expect(await told).toEqual({ reason: 'this device has been revoked' });
    expect(await closed).toBe('io server disconnect');
    await eventually(async () => expect((await device.state()).status).toBe('revoked'), 5000);

    const pull = await api<{ error: { code: string } }>(server.url, '/sync/patients/pull', {
      token: enrolled.deviceToken,
    });
    expect(pull.status).toBe(401);
    expect(pull.body.error.code).toBe('revoked');
    const push = await api<{ error: { code: string } }>(server.url, '/sync/patients/push', {
      token: enrolled.deviceToken,
      body: [],
    });
    expect(push.status).toBe(401);
    expect(push.body.error.code).toBe('revoked');
    const refused = await new Promise<{ data?: { reason?: string } }>((resolve) => {
      socketFor(enrolled.deviceToken).once('connect_error', resolve);
    });
    expect(refused.data?.reason).toBe('revoked');
  });

  it('an admin cannot revoke another clinic’s device', async () => {
    const other = (await seedSite(server.db, 'Other Clinic')).site;
    const otherAdmin = (await signIn(server.url, (await staffUser(server.db, [other.id], 'admin')).email)).accessToken;
    const enrolled = (await enroll((await newCode('kiosk')).code)).body;
    const answer = await api(server.url, `/admin/devices/${enrolled.deviceId}/revoke`, {
      token: otherAdmin,
      method: 'POST',
    });
    expect(answer.status).toBe(404);
    expect((await api(server.url, '/auth/me', { token: enrolled.deviceToken })).status).toBe(200);
    const list = await api<{ devices: unknown[] }>(server.url, '/admin/devices', { token: otherAdmin });
    expect(list.body.devices).toEqual([]);
  });
});
