import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRenderer, describeInBrowser, launchChromium, offlineCopyReady, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('the web desk reopens offline', () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    // The browser reaches the server only through this proxy, so the test can pull the cable.
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  it('reloads with the server gone, resumes the session on the replica, checks in, and syncs once back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const desk = new DeskPage(page);
    await page.goto(`http://127.0.0.1:${proxy.port}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await expect.poll(() => desk.appointments().count(), { timeout: 30_000 }).toBeGreaterThan(10);
    await expect.poll(() => desk.syncLabel(), { timeout: 30_000 }).toBe('Online');
    await offlineCopyReady(page);
    const shown = await desk.appointments().count();

    proxy.cut();
    await context.setOffline(true);
    await page.reload();
    // Not the browser's "No internet" page: the desk, signed in, on this device's replica.
    await expect.poll(() => desk.todayHeading().count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => desk.appointments().count(), { timeout: 30_000 }).toBe(shown);
    await expect.poll(() => desk.syncLabel(), { timeout: 30_000 }).toMatch(/^Offline/);
    await expect.poll(() => desk.offlineBanner().count()).toBe(1);
    // The server's routes are never answered from the cache.
    expect(
      await page.evaluate(() =>
        fetch('/readyz').then(
          (r) => r.status,
          () => 'unreachable',
        ),
      ),
    ).toBe('unreachable');
    // The queue board, a route of its own, reopens too.
    await desk.openView('Queue');
    await page.reload();
    await expect.poll(() => desk.heading().textContent(), { timeout: 30_000 }).toBe('Queue');
    await desk.openView('Today');
    await expect.poll(async () => (await desk.appointmentIds('booked')).length, { timeout: 30_000 }).toBeGreaterThan(0);

    const id = await desk.checkInFirstBooked();
    await expect.poll(() => desk.appointmentStatus(id)).toMatch(/^Waiting \d+ min$/);
    await expect.poll(() => desk.pendingText()).toBe('2 pending changes');

    // The server answers again: the session refreshes and the check-in lands.
    await context.setOffline(false);
    proxy.heal();
    await expect.poll(() => desk.pendingText(), { timeout: 60_000 }).toBe('All changes saved');
    const [row] = await server.db.query<{ doc: { status: string; checkInSource: string | null } }>(
      'SELECT doc FROM appointments WHERE id = $1',
      [id],
    );
    expect(row?.doc).toMatchObject({ status: 'checked-in', checkInSource: 'desk' });
    await context.close();
  }, 240_000);

  it('never answers the server’s own routes from the cache', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/app/desktop/`);
    await offlineCopyReady(page);
    // A string: this runs in the page, and the Node tests' types know no DOM.
    const cached = await page.evaluate<string[]>(`(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    })()`);
    expect(cached).toContain('/app/desktop/index.html');
    expect(cached.every((url) => url.startsWith('/app/desktop/'))).toBe(true);
    await context.close();
  }, 120_000);
});
