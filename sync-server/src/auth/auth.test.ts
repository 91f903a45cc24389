import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '#testing/test-server';
import { seedSite } from '#testing/fixtures';
import type { SessionAnswer } from './router.js';
import { api, enrolledDevice, signIn, staffUser, TEST_PASSWORD } from './testing.js';
import { TokenService } from './tokens.js';

let server: TestServer;
let siteA: { id: string };
let siteB: { id: string };

beforeAll(async () => {
  server = await startTestServer();
  siteA = (await seedSite(server.db, 'North Clinic')).site;
  siteB = (await seedSite(server.db, 'South Clinic')).site;
});
afterAll(async () => {
  await server?.close();
});

const refresh = (refreshToken: string) => api<SessionAnswer>(server.url, '/auth/refresh', { body: { refreshToken } });

describe('staff sign-in', () => {
  it('signs in with email and password and answers who and where', async () => {
    const user = await staffUser(server.db, [siteA.id], 'desk');
    const session = await signIn(server.url, user.email.toUpperCase());
    expect(session).toMatchObject({
      expiresIn: 900,
      user: { id: user.id, email: user.email, displayName: 'Test desk', role: 'desk' },
      site: { id: siteA.id, name: 'North Clinic', timezone: 'UTC' },
    });
    expect(session.refreshToken.length).toBeGreaterThan(30);
    const me = await api(server.url, '/auth/me', { token: session.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      principal: { kind: 'user', id: user.id, role: 'desk', siteId: siteA.id },
      user: { id: user.id, role: 'desk' },
      site: { id: siteA.id },
    });
    expect(JSON.stringify(me.body)).not.toMatch(/password|hash/i);
  });

  it('refuses a wrong password or an unknown email with the same answer', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    const wrong = await api(server.url, '/auth/sign-in', { body: { email: user.email, password: 'not the password' } });
    const unknown = await api(server.url, '/auth/sign-in', {
      body: { email: 'nobody@test.clinic', password: TEST_PASSWORD },
    });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        error: { code: 'invalid-credentials', message: 'the email or password is not right', details: {} },
      });
    }
  });

  it('asks which site when the account works at several, and signs in at the one chosen', async () => {
    const user = await staffUser(server.db, [siteA.id, siteB.id]);
    const ask = await api<{ error: { code: string; details: { sites: { id: string; name: string }[] } } }>(
      server.url,
      '/auth/sign-in',
      { body: { email: user.email, password: TEST_PASSWORD } },
    );
    expect(ask.status).toBe(409);
    expect(ask.body.error.code).toBe('site-required');
    expect(ask.body.error.details.sites.map((s) => s.name)).toEqual(['North Clinic', 'South Clinic']);
    const session = await signIn(server.url, user.email, TEST_PASSWORD, siteB.id);
    expect(session.site.id).toBe(siteB.id);

    const elsewhere = await api(server.url, '/auth/sign-in', {
      body: { email: user.email, password: TEST_PASSWORD, siteId: newId() },
    });
    expect(elsewhere.status).toBe(403);
  });

  it('a deactivated account cannot sign in', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    await server.db.query('UPDATE users SET active = false WHERE id = $1', [user.id]);
    const answer = await api(server.url, '/auth/sign-in', { body: { email: user.email, password: TEST_PASSWORD } });
    expect(answer.status).toBe(401);
  });
});

describe('refresh and sign-out', () => {
  it('rotates the refresh token on every use', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    const first = await signIn(server.url, user.email);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.user.id).toBe(user.id);
    expect((await api(server.url, '/auth/me', { token: second.body.accessToken })).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('a reused refresh token ends the whole session, for the thief and the owner alike', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    const first = await signIn(server.url, user.email);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect((replay.body as unknown as { error: { code: string } }).error.code).toBe('refresh-token-reused');
    // The legitimate holder's newer tokens stop working too.
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    const me = await api<{ error: { code: string } }>(server.url, '/auth/me', { token: rotated.body.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('revoked');
  });

  it('sign-out ends the session: its socket closes, its access and refresh tokens stop working at once', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    const session = await signIn(server.url, user.email);
    const other = await signIn(server.url, user.email);
    const socket = connect(server.url, {
      auth: { token: session.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    const otherSocket = connect(server.url, {
      auth: { token: other.accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      await Promise.all(
        [socket, otherSocket].map((s) => new Promise((resolve) => s.once('connect', () => resolve(null)))),
      );
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const out = await api(server.url, '/auth/sign-out', { body: { refreshToken: session.refreshToken } });
      expect(out.status).toBe(204);
      expect(await closed).toBe('io server disconnect');
      // The same user's other session keeps its connection.
      expect(otherSocket.connected).toBe(true);
    } finally {
      socket.close();
      otherSocket.close();
    }
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await api(server.url, '/sync/patients/pull', { token: session.accessToken })).status).toBe(401);
    // Signing out again is still signed out.
    expect((await api(server.url, '/auth/sign-out', { body: { refreshToken: session.refreshToken } })).status).toBe(
      204,
    );
  });

  it('refuses an unknown refresh token', async () => {
    const answer = await refresh('x'.repeat(43));
    expect(answer.status).toBe(401);
  });
});

describe('tokens', () => {
  it('refuses forged, expired and missing tokens on sync, admin and identity routes and socket handshakes', async () => {
    const user = await staffUser(server.db, [siteA.id], 'admin');
    const session = await signIn(server.url, user.email);
    const principal = { kind: 'user' as const, id: user.id, role: 'admin' as const, siteId: siteA.id };
    const sid = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()).sid as string;
    const forged = await new TokenService('another secret that is long enough to sign').sign(principal, 900, { sid });
    const expired = await server.tokens.sign(principal, -60, { sid });
    const cases: [string | undefined, string][] = [
      [forged, 'token-invalid'],
      [expired, 'token-expired'],
      [undefined, 'token-missing'],
      ['not.a.jwt', 'token-invalid'],
    ];
    for (const [token, code] of cases) {
      for (const path of ['/sync/patients/pull', '/admin/users', '/auth/me']) {
        const answer = await api<{ error: { code: string } }>(server.url, path, token ? { token } : {});
        expect(answer.status, `${path} with ${code}`).toBe(401);
        expect(answer.body.error.code).toBe(code);
      }
    }
    for (const [token, code] of cases) {
      const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      const refused = await new Promise<{ data?: { reason?: string } }>((resolve) =>
        socket.once('connect_error', resolve),
      );
      socket.close();
      expect(refused.data?.reason).toBe(code);
    }
    expect((await api(server.url, '/admin/users', { token: session.accessToken })).status).toBe(200);
  });

  it('refuses a validly signed token whose role, site or device the database does not confirm', async () => {
    const desk = await staffUser(server.db, [siteA.id], 'desk');
    const session = await signIn(server.url, desk.email);
    const sid = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()).sid as string;
    const asAdmin = await server.tokens.sign({ kind: 'user', id: desk.id, role: 'admin', siteId: siteA.id }, 900, {
      sid,
    });
    const atOtherSite = await server.tokens.sign({ kind: 'user', id: desk.id, role: 'desk', siteId: siteB.id }, 900, {
      sid,
    });
    const noSession = await server.tokens.sign({ kind: 'user', id: desk.id, role: 'desk', siteId: siteA.id }, 900);
    const unknownDevice = await server.tokens.sign(
      { kind: 'device', id: newId(), role: 'desk', siteId: siteA.id },
      900,
    );
    const kiosk = await enrolledDevice(server, siteA.id, 'kiosk');
    const kioskClaimingDesk = await server.tokens.sign(
      { kind: 'device', id: kiosk.deviceId, role: 'desk', siteId: siteA.id },
      900,
    );
    for (const token of [asAdmin, atOtherSite, noSession, unknownDevice, kioskClaimingDesk]) {
      const answer = await api<{ error: { code: string } }>(server.url, '/sync/appointments/pull', { token });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('revoked');
    }
  });
});

describe('roles', () => {
  it('the front desk and devices cannot manage users, devices or read the audit log', async () => {
    const desk = await signIn(server.url, (await staffUser(server.db, [siteA.id], 'desk')).email);
    const kiosk = await enrolledDevice(server, siteA.id, 'kiosk');
    const display = await enrolledDevice(server, siteA.id, 'display');
    for (const token of [desk.accessToken, kiosk.token, display.token]) {
      const requests = [
        api(server.url, '/admin/users', { token }),
        api(server.url, '/admin/users', {
          token,
          body: { email: 'new@test.clinic', displayName: 'New', role: 'admin', password: 'long enough password' },
        }),
        api(server.url, `/admin/users/${desk.user.id}`, { token, method: 'PATCH', body: { role: 'admin' } }),
        api(server.url, '/admin/enrollment-codes', { token, body: { role: 'kiosk', label: 'Lobby' } }),
        api(server.url, '/admin/devices', { token }),
        api(server.url, `/admin/devices/${kiosk.deviceId}/revoke`, { token, method: 'POST' }),
        api(server.url, '/admin/audit', { token }),
      ];
      for (const answer of await Promise.all(requests)) {
        expect(answer.status).toBe(403);
        expect((answer.body as { error: { code: string } }).error.code).toBe('forbidden');
      }
    }
    const roles = await server.db.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [desk.user.id]);
    expect(roles[0]!.role).toBe('desk');
  });

  it('an admin manages the users of its sites; a reset password ends the user’s sessions', async () => {
    const admin = await signIn(server.url, (await staffUser(server.db, [siteA.id], 'admin')).email);
    const token = admin.accessToken;
    const created = await api<{ user: { id: string; siteIds: string[]; role: string } }>(server.url, '/admin/users', {
      token,
      body: { email: 'Reception@North.test', displayName: 'Reception', role: 'desk', password: 'first password 1' },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ role: 'desk', siteIds: [siteA.id] });
    const duplicate = await api(server.url, '/admin/users', {
      token,
      body: { email: 'reception@north.test', displayName: 'Again', role: 'desk', password: 'first password 1' },
    });
    expect(duplicate.status).toBe(409);

    const reception = await signIn(server.url, 'reception@north.test', 'first password 1');
    const reset = await api(server.url, `/admin/users/${created.body.user.id}`, {
      token,
      method: 'PATCH',
      body: { password: 'second password 2' },
    });
    expect(reset.status).toBe(200);
    expect((await api(server.url, '/auth/me', { token: reception.accessToken })).status).toBe(401);
    expect((await refresh(reception.refreshToken)).status).toBe(401);
    await signIn(server.url, 'reception@north.test', 'second password 2');

    // Another clinic's site is out of reach, and so are its users.
    const outside = await api(server.url, '/admin/users', {
      token,
      body: {
        email: 'x@south.test',
        displayName: 'X',
        role: 'desk',
        password: 'long enough password',
        siteIds: [siteB.id],
      },
    });
    expect(outside.status).toBe(403);
    const southUser = await staffUser(server.db, [siteB.id]);
    const list = await api<{ users: { id: string }[] }>(server.url, '/admin/users', { token });
    expect(list.body.users.map((u) => u.id)).toContain(created.body.user.id);
    expect(list.body.users.map((u) => u.id)).not.toContain(southUser.id);
    const patchOther = await api(server.url, `/admin/users/${southUser.id}`, {
      token,
      method: 'PATCH',
      body: { active: false },
    });
    expect(patchOther.status).toBe(404);
  });
});

describe('HTTP hygiene', () => {
  it('names the bad field of a malformed body with 400, and answers an oversized body with 413', async () => {
    const badEmail = await api<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>(
      server.url,
      '/auth/sign-in',
      { body: { email: 'not-an-email', password: 'x' } },
    );
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.code).toBe('invalid-request');
    expect(badEmail.body.error.details.issues.map((i) => i.path)).toEqual(['email']);
    expect(badEmail.body.error.message).toMatch(/email/);

    const notJson = await api<{ error: { code: string } }>(server.url, '/auth/sign-in', { rawBody: '{"email": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid-json');

    const device = await enrolledDevice(server, siteA.id, 'desk');
    const badPush = await api<{ error: { details: { issues: { path: string }[] } } }>(
      server.url,
      '/sync/patients/push',
      {
        token: device.token,
        body: [{ newDocumentState: 'a patient' }],
      },
    );
    expect(badPush.status).toBe(400);
    expect(badPush.body.error.details.issues.map((i) => i.path)).toEqual(['0.newDocumentState']);

    const huge = await api<{ error: { code: string } }>(server.url, '/auth/sign-in', {
      body: { email: 'a@b.test', password: 'x'.repeat(2_000_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload-too-large');
    expect(JSON.stringify(huge.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('sends security headers and allows no foreign origin', async () => {
    const response = await fetch(`${server.url}/auth/me`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // Pages the server serves may load nothing from elsewhere and may not be framed by another site.
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});

describe('CORS', () => {
  it('answers browsers of the configured origins only', async () => {
    const withOrigins = await startTestServer({ corsOrigins: ['https://desk.clinic.example'] });
    try {
      const preflight = (origin: string) =>
        fetch(`${withOrigins.url}/auth/sign-in`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight('https://desk.clinic.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://desk.clinic.example');
      const foreign = await preflight('https://evil.example');
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await withOrigins.close();
    }
  });
});

describe('abuse limits', () => {
  it('locks an email after repeated failed sign-ins, even with the right password, and tells when to retry', async () => {
    const user = await staffUser(server.db, [siteA.id]);
    for (let i = 0; i < 8; i++) {
      const answer = await api(server.url, '/auth/sign-in', { body: { email: user.email, password: `guess ${i}` } });
      expect(answer.status).toBe(401);
    }
    const locked = await api<{ error: { code: string; details: { retryAfterSeconds: number } } }>(
      server.url,
      '/auth/sign-in',
      {
        body: { email: user.email, password: TEST_PASSWORD },
      },
    );
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate-limited');
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    // HTTP clients and proxies read the standard header, in whole seconds.
    expect(locked.headers.get('retry-after')).toBe(String(locked.body.error.details.retryAfterSeconds));
    // Other accounts are not affected.
    await signIn(server.url, (await staffUser(server.db, [siteA.id])).email);
  });

  it('limits sign-in attempts per address across accounts, counted in the database all instances share', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) {
      const answer = await api(server.url, '/auth/sign-in', {
        body: { email: `spray-${i}@test.clinic`, password: 'guess' },
      });
      statuses.push(answer.status);
    }
    expect(statuses.at(-1)).toBe(429);
    const rows = await server.db.query<{ hits: number }>(
      "SELECT hits FROM rate_limits WHERE key = 'sign-in:ip:127.0.0.1'",
    );
    expect(rows[0]!.hits).toBeGreaterThan(60);
    await server.db.query("DELETE FROM rate_limits WHERE key LIKE 'sign-in:ip:%'");
  });
});
