import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, localDateAt, weekdayOf, type Patient } from '@medisync/shared/domain';
import { signIn, staffUser, TEST_PASSWORD } from '@medisync/sync-server/src/auth/testing.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { MorningPage } from './morning-page.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** What "at the other desk within a second" allows, measured from the write showing at the first desk. */
const WITHIN_A_SECOND = { timeout: 1_000, intervals: [25] };
const soon = { timeout: 15_000 };

describeInBrowser('two desks at once in Chromium against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let contexts: BrowserContext[];
  let a: MorningPage;
  let b: MorningPage;
  const delays: Record<string, number> = {};

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();
    contexts = await Promise.all([0, 1].map(() => browser.newContext({ viewport: { width: 1440, height: 900 } })));
    a = new MorningPage(await contexts[0]!.newPage());
    b = new MorningPage(await contexts[1]!.newPage());
  }, 240_000);
  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.info(`two desks: from desk A's screen to desk B's, in ms: ${JSON.stringify(delays)}`);
    for (const context of contexts ?? []) await context.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  /** Both desks synced and quiet, so the measurement starts from rest. */
  async function bothSettled(): Promise<void> {
    for (const desk of [a, b]) {
      await expect.poll(() => desk.desk.syncLabel(), soon).toBe('Online');
      await expect.poll(() => desk.desk.pendingText(), soon).toBe('All changes saved');
    }
  }

  /** Milliseconds from now until `seen` holds at desk B; fails past a second. */
  async function untilSeenAtB(name: string, seen: () => Promise<unknown>, expected: unknown): Promise<void> {
    const started = performance.now();
    await expect.poll(seen, WITHIN_A_SECOND).toEqual(expected);
    delays[name] = Math.round(performance.now() - started);
  }

  it('a check-in at one desk shows at the other within a second', async () => {
    // Two receptionists side by side: one on the demo desk account, the other with an account of their own.
    const siteId = (await signIn(server.url, 'desk@demo.clinic', 'medisync-demo')).site.id;
    const colleague = await staffUser(server.db, [siteId]);
    await a.signIn(`${server.url}/app/desktop/`);
    await b.signIn(`${server.url}/app/desktop/`, colleague.email, TEST_PASSWORD);
    await bothSettled();
    const [id] = await a.desk.appointmentIds('booked');
    await expect.poll(() => b.desk.appointment(id!).getAttribute('data-status'), soon).toBe('booked');

    await a.desk.appointmentButton(id!).click();
    await a.desk.visitPanel().getByRole('button', { name: 'Check in', exact: true }).click();
    await expect.poll(() => a.desk.appointment(id!).getAttribute('data-status'), soon).toBe('checked-in');
    await untilSeenAtB('check-in', () => b.desk.appointment(id!).getAttribute('data-status'), 'checked-in');
    await expect.poll(() => b.desk.appointment(id!).getByTestId('ticket').count()).toBe(1);
    expect(await b.desk.appointment(id!).getByTestId('ticket').textContent()).toBe(
      await a.desk.appointment(id!).getByTestId('ticket').textContent(),
    );
    await saveScreenshot(a.page, 'two-desks-check-in-a');
    await saveScreenshot(b.page, 'two-desks-check-in-b');
  }, 180_000);

  it('a call to a room at one desk shows on the other desk’s board within a second', async () => {
    await a.desk.openView('Queue');
    await b.desk.openView('Queue');
    await a.queue.heading().waitFor(soon);
    await b.queue.heading().waitFor(soon);
    await bothSettled();
    await a.queue.chooseRoom('Procedure Room');
    await expect.poll(() => a.queue.callNextButton().textContent(), soon).toMatch(/^Call next: \S+$/);
    const next = (await a.queue.callNextButton().textContent())!.replace('Call next: ', '');
    await expect.poll(() => b.queue.columnOf(next), soon).toBe('waiting');

    const { ticket, room } = await a.queue.callNext();
    expect(ticket).toBe(next);
    await untilSeenAtB('call', () => b.queue.columnOf(ticket), 'called');
    await expect.poll(() => b.queue.occupantOf(room), soon).toContain(ticket);
    expect(await b.board()).toEqual(await a.board());
    await saveScreenshot(a.page, 'two-desks-call-a');
    await saveScreenshot(b.page, 'two-desks-call-b');
    await expectNoAxeViolations(b.page);
  });

  it('a booking at one desk takes the slot at the other within a second', async () => {
    const [site] = await server.db.query<{ doc: { timezone: string } }>('SELECT doc FROM sites LIMIT 1');
    const timeZone = site!.doc.timezone;
    const [alvarez] = await server.db.query<{ id: string }>(
      "SELECT id FROM providers WHERE doc->>'displayName' = 'Dr. Maria Alvarez'",
    );
    const [first, second] = (
      await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE NOT deleted ORDER BY id LIMIT 2')
    ).map((row) => row.doc);
    let date = addDays(localDateAt(new Date(), timeZone), 4);
    while ([0, 6].includes(weekdayOf(date))) date = addDays(date, 1);
    await a.go(`#/book?${new URLSearchParams({ patient: first!.id, provider: alvarez!.id, date }).toString()}`);
    await b.go(`#/book?${new URLSearchParams({ patient: second!.id, provider: alvarez!.id, date }).toString()}`);
    for (const desk of [a, b]) {
      await expect.poll(() => desk.book.heading().textContent(), soon).toBe('Book');
      await expect.poll(() => desk.book.freeSlots().count(), soon).toBeGreaterThan(3);
    }
    await bothSettled();
    const start = (await a.book.freeSlots().first().getAttribute('data-start'))!;
    await expect.poll(() => b.book.slotAt(start).getAttribute('data-state'), soon).toBe('free');

    await a.book.bookSlot(start);
    await expect.poll(() => a.book.slotAt(start).getAttribute('data-state'), soon).toBe('taken');
    await untilSeenAtB('booking', () => b.book.slotAt(start).getAttribute('data-state'), 'taken');
    await saveScreenshot(a.page, 'two-desks-booking-a');
    await saveScreenshot(b.page, 'two-desks-booking-b');
  });
});
