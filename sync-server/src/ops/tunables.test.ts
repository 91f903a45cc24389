import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api, signIn, staffUser, TEST_PASSWORD } from '#auth/testing';
import { eventually, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';

/**
 * Tunables an operator sets in the environment reach the running server
 * (README.md "Configuration"): here a tighter sign-in limit, shorter tokens
 * and sessions, a smaller connection pool, and webhook retries that give up
 * after two quick attempts.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      RATE_LIMITS: 'sign-in:email=2/10m',
      ACCESS_TOKEN_LIFETIME: '5m',
      SESSION_IDLE_TIMEOUT: '1h',
      SESSION_MAX_LIFETIME: '8h',
      DATABASE_POOL_SIZE: '3',
      WEBHOOK_POLL_INTERVAL: '50ms',
      WEBHOOK_RETRY_BASE: '50ms',
      WEBHOOK_MAX_ATTEMPTS: '2',
    },
  });
});
afterAll(async () => {
  await server?.close();
});

describe('operations tunables from the environment', () => {
  it('a sign-in lasts as configured: access token, idle timeout, longest session', async () => {
    const { site } = await seedSite(server.db);
    const user = await staffUser(server.db, [site.id]);
    const session = await signIn(server.url, user.email);
    expect(session.expiresIn).toBe(300);
    const [row] = await server.db.query<{ idle: number; max: number }>(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS idle,
              extract(epoch FROM absolute_expires_at - created_at)::int AS max
         FROM sessions WHERE user_id = $1`,
      [user.id],
    );
    expect(row).toEqual({ idle: 3600, max: 8 * 3600 });
  });

  it('RATE_LIMITS tightens the sign-in limit per account', async () => {
    const { site } = await seedSite(server.db);
    const user = await staffUser(server.db, [site.id]);
    const attempt = () => api(server.url, '/auth/sign-in', { body: { email: user.email, password: 'not it' } });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    // Even the right password waits out the window now.
    expect(
      (await api(server.url, '/auth/sign-in', { body: { email: user.email, password: TEST_PASSWORD } })).status,
    ).toBe(429);
  });

  it('DATABASE_POOL_SIZE bounds the connections an instance opens for requests', () => {
    expect(server.db.pool.options.max).toBe(3);
  });
});

describe('webhook timing from the environment', () => {
  it('a delivery its receiver keeps refusing is retried at the configured pace and given up after WEBHOOK_MAX_ATTEMPTS', async () => {
    let attempts = 0;
    const receiver = http.createServer((_req, res) => {
      attempts += 1;
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { site } = await seedSite(server.db);
      await apiClientKey(server.db, site.id);
      const [client] = await server.db.query<{ id: string }>('SELECT id FROM api_clients WHERE site_id = $1', [
        site.id,
      ]);
      const [subscription, event, delivery] = [randomUUID(), randomUUID(), randomUUID()];
      await server.db.query(
        `INSERT INTO webhook_subscriptions (id, client_id, site_id, url, events, secret)
         VALUES ($1, $2, $3, $4, ARRAY['patient.created'], 'secret')`,
        [subscription, client!.id, site.id, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`],
      );
      await server.db.query(
        `INSERT INTO webhook_events (id, site_id, type, payload) VALUES ($1, $2, 'patient.created', '{}')`,
        [event, site.id],
      );
      await server.db.query(`INSERT INTO webhook_deliveries (id, event_id, subscription_id) VALUES ($1, $2, $3)`, [
        delivery,
        event,
        subscription,
      ]);
      // With the defaults (12 attempts, 5 s doubling) this would take hours.
      await eventually(async () => {
        const [row] = await server.db.query<{ state: string; attempts: number }>(
          'SELECT state, attempts FROM webhook_deliveries WHERE id = $1',
          [delivery],
        );
        expect(row).toEqual({ state: 'failed', attempts: 2 });
      }, 10_000);
      expect(attempts).toBe(2);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
