import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildRenderer,
  describeInBrowser,
  eventually,
  launchChromium,
  offlineCopyReady,
  type BuiltRenderer,
} from '@medisync/desktop/testing/browser';
import {
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  transitionRecord,
  type Actor,
  type CollectionName,
  type Patient,
  type Provider,
  type Room,
} from '@medisync/shared/domain';
import { api, signIn } from '@medisync/sync-server/src/auth/testing.js';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogues } from '../src/renderer/i18n/index.js';
import { patientWithoutVisitsToday } from './lobby-session.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = catalogues.en;

describeInBrowser('the kiosk and the display reopen offline', () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let admin: string;
  let desk: { token: string; actor: Actor; siteId: string; timezone: string };
  const clock = new HybridClock('offline-reopen-test');
  const one = async <T>(sql: string) => (await server.db.query<{ doc: T }>(sql))[0]!.doc;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/kiosk', dir: renderer.dir }] });
    // The browser reaches the server only through this proxy, so the test can pull the cable.
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
    admin = (await signIn(server.url, 'admin@demo.clinic', 'medisync-demo')).accessToken;
    const session = await signIn(server.url, 'desk@demo.clinic', 'medisync-demo');
    desk = {
      token: session.accessToken,
      actor: { id: session.user.id, role: 'desk', source: 'desk' },
      siteId: session.site.id,
      timezone: session.site.timezone,
    };
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  /** What the front desk would push, through the normal sync endpoint. */
  async function push(collection: CollectionName, record: object) {
    const answer = await api<{ rejected: unknown[] }>(server.url, `/sync/${collection}/push`, {
      token: desk.token,
      body: [{ newDocumentState: record, assumedMasterState: null }],
    });
    expect(answer.body.rejected).toEqual([]);
  }

  /** The lobby page at `page`, enrolled as an administrator sets one up, through the proxy. */
  async function openEnrolled(page: 'check-in' | 'display', role: 'kiosk' | 'display') {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${proxy.port}/app/kiosk/${page}.html`);
    const { body } = await api<{ code: string }>(server.url, '/admin/enrollment-codes', {
      token: admin,
      body: { role, label: `offline ${role}` },
    });
    await tab.getByLabel('Enrollment code').fill(body.code);
    await tab.getByLabel('Device name').fill(`Lobby ${role}`);
    await tab.getByRole('button', { name: 'Enroll' }).click();
    return { context, tab };
  }

  /** The cable is pulled and the page reloaded: it must come back from its own cache and replica. */
  async function reloadOffline(context: BrowserContext, tab: Page) {
    await offlineCopyReady(tab);
    proxy.cut();
    await context.setOffline(true);
    await tab.reload();
  }

  async function backOnline(context: BrowserContext) {
    await context.setOffline(false);
    proxy.heal();
  }

  const status = (tab: Page) => tab.getByTestId('device-status').textContent();

  it('the kiosk reloads offline, says so, still checks a patient in, and the check-in syncs once back', async () => {
    const patient = await one<Patient>(patientWithoutVisitsToday(3));
    const provider = await one<Provider>('SELECT doc FROM providers LIMIT 1');
    const now = Date.now();
    const today = dayRangeUtc(localDateAt(new Date(now), desk.timezone), desk.timezone);
    const start = new Date(Math.max(now - 60_000, today.start.getTime()));
    const appointment = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: desk.siteId,
        patientId: patient.id,
        providerId: provider.id,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + 15 * 60_000).toISOString(),
        visitType: 'follow-up',
        status: 'booked',
        copayCents: null,
        notes: null,
      },
      clock,
      desk.actor,
    );
    await push('appointments', appointment);

    const { context, tab } = await openEnrolled('check-in', 'kiosk');
    await expect.poll(() => status(tab), { timeout: 30_000 }).toBe('Online');
    await reloadOffline(context, tab);
    await expect
      .poll(() => tab.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 })
      .toBe(t.welcomeTitle);
    await expect.poll(() => status(tab), { timeout: 30_000 }).toMatch(/^Offline/);

    await tab.getByRole('button', { name: t.start }).click();
    await tab.getByRole('textbox', { name: t.familyName, exact: true }).fill(patient.familyName);
    const [year, month, day] = patient.dob.split('-');
    await tab.getByLabel(t.day).fill(String(Number(day)));
    await tab.getByLabel(t.month).selectOption(String(Number(month)));
    await tab.getByLabel(t.year).fill(year!);
    await tab.getByRole('button', { name: t.find }).click();
    await expect.poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toBe(t.confirmTitle);
    await tab.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toBe(t.doneTitle);
    const ticket = await tab.getByTestId('ticket-code').textContent();

    await backOnline(context);
    await eventually(async () => {
      const [row] = await server.db.query<{ doc: { status: string; checkInSource: string } }>(
        'SELECT doc FROM appointments WHERE id = $1',
        [appointment.id],
      );
      expect(row?.doc).toMatchObject({ status: 'checked-in', checkInSource: 'kiosk' });
      const entries = await server.db.query<{ doc: { ticketCode: string } }>(
        "SELECT doc FROM queue_entries WHERE doc->>'appointmentId' = $1",
        [appointment.id],
      );
      expect(entries.map((e) => e.doc.ticketCode)).toEqual([ticket]);
    }, 60_000);
    await context.close();
  });

  it('the display reloads offline, still shows the board, and catches up with calls made meanwhile', async () => {
    const room = await one<Room>('SELECT doc FROM rooms LIMIT 1');
    const patients = await server.db.query<{ doc: Patient }>(
      "SELECT doc FROM patients WHERE doc->>'active' = 'true' OFFSET 5 LIMIT 2",
    );
    const call = async (patient: Patient, ticketCode: string) => {
      const waiting = createRecord(
        'queueEntries',
        {
          id: newId(),
          siteId: desk.siteId,
          appointmentId: null,
          patientId: patient.id,
          queue: 'reception',
          ticketCode,
          priority: 'normal',
          status: 'waiting',
          checkedInAt: new Date().toISOString(),
          roomId: room.id,
        },
        clock,
        desk.actor,
      );
      await push('queueEntries', transitionRecord('queueEntries', waiting, 'called', clock, desk.actor));
    };
    const calls = (tab: Page) => tab.getByTestId('display-call').allTextContents();

    const { context, tab } = await openEnrolled('display', 'display');
    await expect
      .poll(() => tab.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 })
      .toBe(t.displayTitle);
    await call(patients[0]!.doc, 'A-955');
    await expect.poll(async () => (await calls(tab)).join(' '), { timeout: 30_000 }).toContain('A-955');

    await reloadOffline(context, tab);
    await expect
      .poll(() => tab.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 })
      .toBe(t.displayTitle);
    await expect.poll(async () => (await calls(tab)).join(' '), { timeout: 30_000 }).toContain('A-955');
    await expect.poll(() => status(tab), { timeout: 30_000 }).toMatch(/^Offline/);

    await call(patients[1]!.doc, 'A-956');
    await backOnline(context);
    await expect.poll(async () => (await calls(tab)).join(' '), { timeout: 60_000 }).toContain('A-956');
    await context.close();
  });
});
