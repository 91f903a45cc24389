import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRecord, HybridClock, newId, type Patient } from '@medisync/shared/domain';
import { api, signIn } from '@medisync/sync-server/src/auth/testing.js';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRenderer, describeInBrowser, launchChromium, serveDirectory, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('the desktop renderer in Chromium against a real sync server', () => {
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

  it('signs in, shows today and the sync state, checks in offline, and syncs the check-in once back online', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const desk = new DeskPage(page);
    await page.goto(`http://127.0.0.1:${proxy.port}/app/desktop/`);

    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await expect.poll(() => desk.todayHeading().count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => desk.appointments().count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(() => desk.syncLabel(), { timeout: 30_000 }).toBe('Online');
    expect(await desk.pendingText()).toBe('All changes saved');

    // The network goes: the browser is offline and the server unreachable.
    proxy.cut();
    await context.setOffline(true);
    await expect.poll(() => desk.syncLabel(), { timeout: 15_000 }).toMatch(/^Offline since \d\d:\d\d$/);

    const id = await desk.checkInFirstBooked();
    await expect.poll(() => desk.appointmentStatus(id)).toMatch(/^Checked in \d\d:\d\d$/);
    // Two local changes: the appointment checked in, and the patient queued with a ticket from the desk's
    // block, or the desk's own fallback code when it went offline before its first lease.
    await expect.poll(() => desk.pendingText()).toBe('2 pending changes');
    await expect
      .poll(() => page.getByTestId('announcer').textContent())
      .toMatch(/^Checked in .*, ticket A-([0-9A-Z]{3}-)?\d{3}$/);
    const announced = await page.getByTestId('announcer').textContent();

    // Back online: the check-in reaches the server by itself.
    await context.setOffline(false);
    proxy.heal();
    await expect.poll(() => desk.pendingText(), { timeout: 30_000 }).toBe('All changes saved');
    await expect.poll(() => desk.syncLabel(), { timeout: 15_000 }).toBe('Online');
    const [row] = await server.db.query<{ doc: { status: string; checkInSource: string | null } }>(
      'SELECT doc FROM appointments WHERE id = $1',
      [id],
    );
    expect(row?.doc).toMatchObject({ status: 'checked-in', checkInSource: 'desk' });
    const entries = await server.db.query<{ doc: { ticketCode: string; status: string } }>(
      "SELECT doc FROM queue_entries WHERE doc->>'appointmentId' = $1",
      [id],
    );
    expect(entries.map((e) => e.doc)).toEqual([
      expect.objectContaining({ ticketCode: announced!.split('ticket ')[1], status: 'waiting' }),
    ]);

    await context.close();
  });

  it('lists the queue live, in the derived order: an urgent later arrival before an earlier normal one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await desk.openView('Queue');
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Queue' }).count()).toBe(1);

    // Another desk checks two walk-ins in; this one sees them arrive through the live stream.
    const session = await signIn(server.url, 'desk@demo.clinic', 'medisync-demo');
    const actor = { id: session.user.id, role: 'desk' as const, source: 'desk' as const };
    const patients = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients LIMIT 2');
    const clock = new HybridClock('other-desk');
    const entry = (patient: Patient, ticketCode: string, priority: 'normal' | 'urgent', minutesAgo: number) =>
      createRecord(
        'queueEntries',
        {
          id: newId(),
          siteId: session.site.id,
          appointmentId: null,
          patientId: patient.id,
          queue: 'reception',
          ticketCode,
          priority,
          status: 'waiting',
          checkedInAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
          roomId: null,
        },
        clock,
        actor,
      );
    const [first, second] = patients.map((row) => row.doc);
    const rows = [entry(first!, 'A-901', 'normal', 2), entry(second!, 'A-902', 'urgent', 1)];
    const pushed = await api<{ rejected: unknown[] }>(server.url, '/sync/queueEntries/push', {
      token: session.accessToken,
      body: rows.map((row) => ({ newDocumentState: row, assumedMasterState: null })),
    });
    expect(pushed.body.rejected).toEqual([]);

    // Only these two matter here: the other test's check-in may be waiting too.
    const ours = async () =>
      (await page.getByTestId('queue-entry').allTextContents()).filter((text) => /A-90[12]/.test(text));
    await expect.poll(async () => (await ours()).length, { timeout: 15_000 }).toBe(2);
    const listed = await ours();
    expect(listed[0]).toContain('A-902');
    expect(listed[0]).toContain(`${second!.familyName}, ${second!.givenName}`);
    expect(listed[1]).toContain('A-901');
    await context.close();
  });

  it("works from another origin, as under Electron's app://, once the server allows that origin", async () => {
    let serverUrl = '';
    const elsewhere = await serveDirectory(renderer.dir, {
      rewriteHtml: (html) =>
        html.replace('name="medisync-server-url" content=""', `name="medisync-server-url" content="${serverUrl}"`),
    });
    const allowing = await startTestServer({
      databaseUrl: server.databaseUrl,
      tokenSecret: server.config.tokenSecret,
      corsOrigins: [elsewhere.url],
    });
    serverUrl = allowing.url;
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const desk = new DeskPage(page);
      await page.goto(`${elsewhere.url}/`);
      await desk.signIn('desk@demo.clinic', 'medisync-demo');
      await expect.poll(() => desk.appointments().count(), { timeout: 20_000 }).toBeGreaterThan(10);
      await expect.poll(() => desk.syncLabel(), { timeout: 20_000 }).toBe('Online');
      await context.close();
    } finally {
      await allowing.close();
      await elsewhere.close();
    }
  });

  it('says why a sign-in fails', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/app/desktop/`);
    await new DeskPage(page).signIn('desk@demo.clinic', 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email or password is not correct.');
    await context.close();
  });
});
