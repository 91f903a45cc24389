import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '#db/migrate';
import { createLogger } from '#logger';
import { createTestDatabase } from '#testing/test-database';
import { startTestServer, type TestServer } from '#testing/test-server';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function started(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  cleanup.push(() => server.close());
  return server;
}

describe('startServer', () => {
  it('migrates the database on start, records each migration, and never applies one twice', async () => {
    const server = await started();
    const recorded = await server.db.query<{ name: string; applied_at: Date }>(
      'SELECT name, applied_at FROM schema_migrations ORDER BY name',
    );
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((m) => /^\d{8}_\d{4}_[a-z0-9_-]+\.sql$/.test(m.name))).toBe(true);

    await server.restart();
    expect(await migrate(server.db, createLogger('silent'))).toEqual([]);
    const again = await server.db.query<{ name: string; applied_at: Date }>(
      'SELECT name, applied_at FROM schema_migrations ORDER BY name',
    );
    expect(again).toEqual(recorded);
  });

  it('listens on the port it reports, and restarts on the same port and database', async () => {
    const server = await started();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    await server.db.query('CREATE TABLE kept_across_restarts (n int)');
    const port = server.port;

    let downDuringRestart = false;
    await server.restart(async () => {
      downDuringRestart = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => false,
        () => true,
      );
    });
    expect(downDuringRestart).toBe(true);
    expect(server.port).toBe(port);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await server.db.query('SELECT * FROM kept_across_restarts')).toEqual([]);
  });

  it('a second server can take over the same database and port after the first closed', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const first = await startTestServer({ databaseUrl: database.url });
    const port = first.port;
    await first.close();
    const second = await started({ databaseUrl: database.url, port });
    expect(second.port).toBe(port);
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
  });

  it('closes gracefully: stops listening, ends the pool, and a second close is harmless', async () => {
    const server = await startTestServer();
    const { url, db } = server;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await server.close();
    await server.close();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await expect(db.query('SELECT 1')).rejects.toThrow();
  });

  it('cuts a request still in flight when the grace period ends, instead of waiting for the client', async () => {
    const server = await startTestServer({ env: { SHUTDOWN_GRACE: '200ms' } });
    // A client that announced a body and stops sending it: only the server can end this request.
    const client = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    client.write(
      'POST /api/v1/patients HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const cut = new Promise((resolve) => client.once('close', resolve));
    const tooLong = new Promise((resolve) => setTimeout(() => resolve('still waiting for the client'), 10_000).unref());
    expect(await Promise.race([server.close().then(() => 'closed'), tooLong])).toBe('closed');
    await cut;
  });

  it('fails with a clear message when the port is taken, leaving nothing running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(startTestServer({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use; set PORT`);
  });

  it('serves built renderers as web pages, single-page routes included, and skips missing ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medisync-renderer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Waiting room</title>');
    await writeFile(join(dir, 'app.js'), 'console.log("display")');
    const server = await started({
      renderers: [
        { mount: '/app/kiosk', dir },
        { mount: '/app/desktop', dir: join(dir, 'not-built') },
      ],
    });

    const index = await fetch(`${server.url}/app/kiosk/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Waiting room');
    expect(await (await fetch(`${server.url}/app/kiosk/app.js`)).text()).toContain('display');
    expect(await (await fetch(`${server.url}/app/kiosk/display/room-3`)).text()).toContain('Waiting room');
    const missing = await fetch(`${server.url}/app/desktop/`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('answers unknown files under a single-page renderer with a 404, not its index page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medisync-renderer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Front desk</title>');
    await writeFile(join(dir, 'app.js'), 'console.log("desk")');
    const server = await started({ renderers: [{ mount: '/app/desktop', dir }] });

    for (const path of ['.env', 'app.js.map', 'assets/index-0ld8u1ld.js', 'queue/.git/config', 'favicon.ico']) {
      const response = await fetch(`${server.url}/app/desktop/${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.json()).toMatchObject({ error: { code: 'not-found' } });
    }
    // Client-side routes, without a file extension, still load the app.
    for (const path of ['queue', 'patients/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'today/']) {
      const response = await fetch(`${server.url}/app/desktop/${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(await response.text()).toContain('Front desk');
    }
    expect(await (await fetch(`${server.url}/app/desktop/app.js`)).text()).toContain('desk');
  });

  it('serves a multi-page renderer without an index page, and 404s its unknown pages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medisync-renderer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'display.html'), '<!doctype html><title>Now calling</title>');
    const server = await started({ renderers: [{ mount: '/app/kiosk', dir }] });
    expect(await (await fetch(`${server.url}/app/kiosk/display.html?lang=es`)).text()).toContain('Now calling');
    const missing = await fetch(`${server.url}/app/kiosk/nothing.html`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('serves a renderer built after it started; pages and the service worker are revalidated on every load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medisync-renderer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const server = await started({ renderers: [{ mount: '/app/desktop', dir: join(dir, 'desktop') }] });
    expect((await fetch(`${server.url}/app/desktop/`)).status).toBe(404);

    await mkdir(join(dir, 'desktop', 'assets'), { recursive: true });
    await writeFile(join(dir, 'desktop', 'index.html'), '<!doctype html><title>Front desk</title>');
    await writeFile(join(dir, 'desktop', 'sw.js'), 'self.addEventListener("fetch", () => {})');
    await writeFile(join(dir, 'desktop', 'assets', 'index-0ld8u1ld.js'), 'console.log("desk")');
    for (const path of ['', 'index.html', 'sw.js', 'today']) {
      const response = await fetch(`${server.url}/app/desktop/${path}`);
      expect({ path, status: response.status, cache: response.headers.get('cache-control') }).toEqual({
        path,
        status: 200,
        cache: 'no-cache',
      });
    }
    const asset = await fetch(`${server.url}/app/desktop/assets/index-0ld8u1ld.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=3600');
  });
});
