import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildRenderer,
  describeInBrowser,
  eventually,
  launchChromium,
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
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogues } from '../src/renderer/i18n/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = catalogues.en;

interface Staff {
  token: string;
  actor: Actor;
  site: { id: string; timezone: string };
}

async function post<T>(server: TestServer, route: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function signIn(server: TestServer, email: string): Promise<Staff> {
  const session = await post<{ accessToken: string; user: { id: string }; site: { id: string; timezone: string } }>(
    server,
    '/auth/sign-in',
    { email, password: 'medisync-demo' },
  );
  return {
    token: session.accessToken,
    actor: { id: session.user.id, role: 'desk', source: 'desk' },
    site: session.site,
  };
}

/** What the front desk would push: through the normal sync endpoint, so live changes reach the lobby devices. */
async function push(server: TestServer, staff: Staff, collection: CollectionName, record: object) {
  const result = await post<{ rejected: unknown[] }>(
    server,
    `/sync/${collection}/push`,
    [{ newDocumentState: record, assumedMasterState: null }],
    staff.token,
  );
  expect(result.rejected).toEqual([]);
}

/** A lobby page enrolled with a fresh code, as an administrator would set it up. */
async function enroll(page: Page, server: TestServer, admin: Staff, role: 'kiosk' | 'display') {
  const { code } = await post<{ code: string }>(
    server,
    '/admin/enrollment-codes',
    { role, label: `test ${role}` },
    admin.token,
  );
  await page.getByLabel('Enrollment code').fill(code);
  await page.getByLabel('Device name').fill(`Lobby ${role}`);
  await page.getByRole('button', { name: 'Enroll' }).click();
}

describeInBrowser('the lobby pages in Chromium, enrolled at a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let admin: Staff;
  let desk: Staff;
  const clock = new HybridClock('lobby-test');
  const one = async <T>(sql: string) => (await server.db.query<{ doc: T }>(sql))[0]!.doc;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/kiosk', dir: renderer.dir }] });
    browser = await launchChromium();
    admin = await signIn(server, 'admin@demo.clinic');
    desk = await signIn(server, 'desk@demo.clinic');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  it("checks a patient in for today's appointment from the kiosk's own replica", async () => {
    const patient = await one<Patient>("SELECT doc FROM patients WHERE doc->>'active' = 'true' LIMIT 1");
    const provider = await one<Provider>('SELECT doc FROM providers LIMIT 1');
    const now = Date.now();
    const today = dayRangeUtc(localDateAt(new Date(now), desk.site.timezone), desk.site.timezone);
    const start = new Date(Math.max(now - 60_000, today.start.getTime()));
    const appointment = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: desk.site.id,
        patientId: patient.id,
        providerId: provider.id,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + 15 * 60_000).toISOString(),
        visitType: 'follow-up',
        status: 'booked',
        copayCents: null,
        notes: 'private note the kiosk must never hold',
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'appointments', appointment);

    const page = await browser.newPage();
    await page.goto(`${server.url}/app/kiosk/check-in.html`);
    await enroll(page, server, admin, 'kiosk');
    await page.getByRole('button', { name: t.start }).click();
    await page.getByRole('textbox', { name: t.familyName, exact: true }).fill(patient.familyName.toUpperCase());
    const [year, month, day] = patient.dob.split('-');
    await page.getByLabel(t.day).fill(String(Number(day)));
    await page.getByLabel(t.month).selectOption(String(Number(month)));
    await page.getByLabel(t.year).fill(year!);
    // Search once the replica has today's appointments: misses count towards the identity-search lockout.
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 20_000 }).toBe('Online');
    await page.getByRole('button', { name: t.find }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t.confirmTitle);
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain(t.greeting(`${patient.givenName} ${patient.familyName[0]!.toUpperCase()}.`));
    expect(body).toContain(provider.displayName);
    expect(body).not.toContain(patient.familyName);
    await page.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t.doneTitle);

    await eventually(async () => {
      const [row] = await server.db.query<{ doc: { status: string; checkInSource: string; notes: string } }>(
        'SELECT doc FROM appointments WHERE id = $1',
        [appointment.id],
      );
      expect(row?.doc).toMatchObject({ status: 'checked-in', checkInSource: 'kiosk', notes: appointment.notes });
    });
    // The patient is queued with a short code from the kiosk's leased block, and the same code reaches the server.
    const ticket = await page.getByTestId('ticket-code').textContent();
    expect(ticket).toMatch(/^A-\d{3}$/);
    await eventually(async () => {
      const entries = await server.db.query<{ doc: { ticketCode: string; status: string } }>(
        "SELECT doc FROM queue_entries WHERE doc->>'appointmentId' = $1",
        [appointment.id],
      );
      expect(entries.map((e) => e.doc)).toEqual([expect.objectContaining({ ticketCode: ticket, status: 'waiting' })]);
    });
    await page.close();
  });

  it('shows a call on the waiting-room display with its room, announced, and no patient name anywhere', async () => {
    const patient = await one<Patient>("SELECT doc FROM patients WHERE doc->>'active' = 'true' OFFSET 1 LIMIT 1");
    const room = await one<Room>('SELECT doc FROM rooms LIMIT 1');
    const page = await browser.newPage();
    await page.goto(`${server.url}/app/kiosk/display.html`);
    await enroll(page, server, admin, 'display');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t.displayTitle);

    const waiting = createRecord(
      'queueEntries',
      {
        id: newId(),
        siteId: desk.site.id,
        appointmentId: null,
        patientId: patient.id,
        queue: 'reception',
        ticketCode: 'A-987',
        priority: 'normal',
        status: 'waiting',
        checkedInAt: new Date().toISOString(),
        roomId: room.id,
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'queueEntries', transitionRecord('queueEntries', waiting, 'called', clock, desk.actor));

    await expect
      .poll(() => page.getByTestId('display-call').first().textContent(), { timeout: 20_000 })
      .toContain('A-987');
    expect(await page.getByTestId('display-call').first().textContent()).toContain(room.name);
    await expect
      .poll(() => page.getByTestId('display-announcement').textContent())
      .toBe(t.displayCall('A-987', room.name));
    const body = (await page.textContent('body')) ?? '';
    expect(body).not.toContain(patient.familyName);
    expect(body).not.toContain(patient.givenName);
    await page.close();
  });
});
