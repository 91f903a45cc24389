import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addDays,
  createRecord,
  HybridClock,
  localDateAt,
  newId,
  zonedTimeToUtc,
  weekdayOf,
  type SiteReport,
} from '@medisync/shared/domain';
import { createLogger } from '@medisync/sync-server/src/logger.js';
import { runNoShowModels } from '@medisync/sync-server/src/no-show/job.js';
import { writeRecords } from '@medisync/sync-server/src/sync/store.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { BookingPage } from './booking-page.js';
import { ReportsPage } from './reports-page.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('the admin screens (Reports, Rooms) in Chromium against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let context: BrowserContext;
  let page: Page;
  let desk: DeskPage;
  let reports: ReportsPage;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    desk = new DeskPage(page);
    reports = new ReportsPage(page);
    await page.goto(`${server.url}/app/desktop/`);
  });

  /**
   * Tomorrow at 10:00, a medication review for the demo patient who missed the
   * most visits, then the no-show model's run: what Today shows of its score.
   */
  async function scoreTomorrowsRiskiestVisit(): Promise<string> {
    const [riskiest] = await server.db.query<{ patient_id: string; site_id: string; provider_id: string }>(
      `SELECT doc->>'patientId' AS patient_id, doc->>'siteId' AS site_id, min(doc->>'providerId') AS provider_id
         FROM appointments WHERE doc->>'status' = 'noshow' GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    const tomorrow = addDays(localDateAt(new Date(), server.config.demoTimezone), 1);
    const start = zonedTimeToUtc(tomorrow, '10:00', server.config.demoTimezone);
    const visit = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: riskiest!.site_id,
        patientId: riskiest!.patient_id,
        providerId: riskiest!.provider_id,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + 15 * 60_000).toISOString(),
        visitType: 'medication-review',
        status: 'booked',
        copayCents: null,
        notes: null,
      },
      new HybridClock('reports-test'),
      { id: 'reports-test', role: 'server', source: 'server' },
    );
    await writeRecords(server.db, 'appointments', [visit]);
    await runNoShowModels({ db: server.db, log: createLogger('silent') });
    return tomorrow;
  }
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  /** The same report straight from the server, as the admin's session asks for it. */
  async function serverReport(from: string, to: string): Promise<SiteReport> {
    const signIn = await fetch(`${server.url}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.clinic', password: 'medisync-demo' }),
    });
    const { accessToken } = (await signIn.json()) as { accessToken: string };
    const answer = await fetch(`${server.url}/reports?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return (await answer.json()) as SiteReport;
  }

  it('an admin opens the reports, changes the range, and exports what is shown as CSV', async () => {
    await desk.signIn('admin@demo.clinic', 'medisync-demo');
    await desk.openView('Reports');
    await reports.heading().waitFor({ timeout: 20_000 });
    const today = localDateAt(new Date(), server.config.demoTimezone);

    // A week by default: seven days, four charts drawn.
    await expect.poll(() => reports.dailyRows().count(), { timeout: 15_000 }).toBe(7);
    await expect.poll(() => reports.charts().count()).toBe(4);
    expect(await reports.preset('Last 7 days').getAttribute('aria-pressed')).toBe('true');
    await saveScreenshot(page, 'reports-week');
    await expectNoAxeViolations(page);

    await reports.preset('Last 30 days').click();
    await expect.poll(() => reports.dailyRows().count()).toBe(30);
    expect(page.url()).toContain(`from=${addDays(today, -29)}`);
    const month = await serverReport(addDays(today, -29), today);
    // The demo's history has no-shows; the card shows the server's rate.
    expect(month.attendance.noShows).toBeGreaterThan(0);
    await expect
      .poll(() => reports.card('no-show-rate').textContent())
      .toBe(`${Math.round(month.attendance.noShowRate * 1000) / 10}%`);
    await saveScreenshot(page, 'reports-month');
    // Every section of the report, for reviewers: the screen scrolls inside the desk's frame.
    for (const [heading, name] of [
      [/^Utilization/, 'reports-utilization'],
      [/^Waits/, 'reports-waits'],
      [/^How patients checked in/, 'reports-check-ins'],
    ] as const) {
      await page.getByRole('heading', { level: 2, name: heading }).scrollIntoViewIfNeeded();
      await saveScreenshot(page, name);
    }

    const csv = await reports.exportCsv();
    expect(csv.name).toBe(`medisync-report-${addDays(today, -29)}-to-${today}.csv`);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(`MediSync report,${addDays(today, -29)},${today}`);
    const daily = lines.filter((line) => /^\d{4}-\d{2}-\d{2},/.test(line));
    expect(daily).toHaveLength(30);
    const attendance = lines[lines.indexOf('Attendance') + 2]!.split(',').map(Number);
    expect(attendance.slice(0, 2)).toEqual([month.attendance.due, month.attendance.noShows]);

    // One day typed into From: the range is that day to today.
    await reports.dateField('From').fill(today);
    await expect.poll(() => reports.dailyRows().count()).toBe(1);
    await saveScreenshot(page, 'reports-today');
  });

  it("shows the no-show model's held-out quality, and its word on tomorrow's riskiest visit on Today", async () => {
    const tomorrow = await scoreTomorrowsRiskiestVisit();
    await page.reload();
    await reports.heading().waitFor({ timeout: 20_000 });
    const auc = reports.modelSection().getByTestId('model-auc').locator('.metric__value');
    await expect.poll(() => auc.textContent(), { timeout: 15_000 }).toMatch(/^0\.\d\d$/);
    expect(Number(await auc.textContent())).toBeGreaterThan(0.5);
    await expect.poll(() => reports.modelSection().getByTestId('model-weights').locator('tbody tr').count()).toBe(8);
    await reports.modelSection().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'reports-no-show-model');

    await page.goto(`${server.url}/app/desktop/#/today?date=${tomorrow}`);
    const risk = page.getByTestId('no-show-risk');
    await expect.poll(() => risk.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(await risk.first().textContent()).toMatch(/^(Likely no-show|Might not come)$/);
    await saveScreenshot(page, 'today-no-show-risk');
  });

  it('an admin plans maintenance of the ECG machine, and the desk books no ECG in that time', async () => {
    const timeZone = server.config.demoTimezone;
    let day = addDays(localDateAt(new Date(), timeZone), 1);
    while ([0, 6].includes(weekdayOf(day))) day = addDays(day, 1);
    const [y, m, d] = day.split('-');

    await desk.openView('Rooms');
    await page.getByRole('heading', { level: 1, name: 'Rooms and equipment' }).waitFor({ timeout: 20_000 });
    const form = page.getByRole('form', { name: 'Plan maintenance in Exam 2' });
    await form.getByLabel('Equipment', { exact: true }).selectOption('ECG machine');
    for (const [segment, value] of [
      ['day', d],
      ['month', m],
      ['year', y],
    ] as const) {
      await form.getByRole('spinbutton', { name: new RegExp(`^${segment}`, 'i') }).click();
      await page.keyboard.type(value!);
    }
    await form.getByLabel('From', { exact: true }).fill('09:00');
    await form.getByLabel('To', { exact: true }).fill('12:00');
    await form.getByLabel('Reason', { exact: true }).fill('Calibration');
    await form.getByRole('button', { name: 'Plan maintenance' }).click();
    const planned = page.locator(
      '[data-room-name="Exam 2"] [data-equipment-name="ECG machine"] [data-testid="maintenance"]',
    );
    await expect.poll(() => planned.textContent()).toContain('09:00–12:00: Calibration');
    await saveScreenshot(page, 'rooms');
    await expectNoAxeViolations(page);

    const [alvarez] = await server.db.query<{ id: string }>(
      `SELECT id FROM providers WHERE doc->>'displayName' = 'Dr. Maria Alvarez'`,
    );
    const booking = new BookingPage(page);
    await booking.open(`${server.url}/app/desktop/`, { date: day, provider: alvarez!.id, type: 'ecg' });
    const slot = (time: string) => booking.slotAt(zonedTimeToUtc(day, time, timeZone).toISOString());
    await expect.poll(() => slot('09:20').getAttribute('data-state'), { timeout: 15_000 }).toBe('no-room');
    expect(await slot('11:40').getAttribute('data-state')).toBe('no-room');
    expect(await slot('08:40').getAttribute('data-state')).toBe('free');
    expect(await slot('13:00').getAttribute('data-state')).toBe('free');
    expect(await slot('09:20').textContent()).toContain('No room or equipment free');
    await saveScreenshot(page, 'book-ecg-during-maintenance');

    // Out of service now: the queue's rooms strip says so on Exam 2.
    await desk.openView('Rooms');
    await page.getByLabel('Status of the ECG machine in Exam 2').selectOption('out-of-service');
    await desk.openView('Queue');
    const tile = page.locator('[data-testid="room-tile"][data-room="Exam 2"]');
    await expect
      .poll(() => tile.getByTestId('equipment-down').textContent(), { timeout: 15_000 })
      .toContain('ECG machine: unavailable');
    await saveScreenshot(page, 'queue-equipment-down');
  });

  it('an admin changes the fee schedule: a new amount, a fee no longer charged, a fee for another visit type', async () => {
    await desk.openView('Fees');
    await page.getByRole('heading', { level: 1, name: 'Fee schedule' }).waitFor({ timeout: 20_000 });
    const storedFee = async (visitType: string) => {
      const [row] = await server.db.query<{ doc: { description: string; amountCents: number; active: boolean } }>(
        `SELECT doc FROM ledger WHERE doc->>'kind' = 'fee' AND doc->>'visitType' = $1`,
        [visitType],
      );
      return row?.doc;
    };
    const sick = page.locator('[data-testid="fee"][data-visit-type="sick-visit"]');
    await expect.poll(() => sick.getByLabel('Sick visit: amount in USD').inputValue()).toBe('110.00');

    // A typo is named, and nothing is saved.
    await sick.getByLabel('Sick visit: amount in USD').fill('12O');
    expect(await sick.getByText('Type an amount such as 95.00.').isVisible()).toBe(true);
    expect(await sick.getByRole('button', { name: 'Save the Sick visit fee' }).isDisabled()).toBe(true);

    // Enter saves, as the Save button does.
    await sick.getByLabel('Sick visit: amount in USD').fill('$120.50');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await storedFee('sick-visit'))?.amountCents, { timeout: 15_000 }).toBe(12050);
    expect(await sick.getByLabel('Sick visit: amount in USD').inputValue()).toBe('120.50');

    const sports = page.locator('[data-testid="fee"][data-visit-type="sports-physical"]');
    await sports.getByLabel('Charged').uncheck();
    await sports.getByRole('button', { name: 'Save the Sports physical fee' }).click();
    await expect.poll(async () => (await storedFee('sports-physical'))?.active, { timeout: 15_000 }).toBe(false);

    const add = page.getByRole('form', { name: 'Add a fee' });
    await add.getByLabel('Visit type').selectOption({ label: 'ECG' });
    await add.getByLabel('On the invoice').fill('Resting ECG');
    await add.getByLabel('Amount (USD)').fill('85');
    await add.getByRole('button', { name: 'Add fee' }).click();
    await expect
      .poll(() => storedFee('ecg'), { timeout: 15_000 })
      .toMatchObject({
        description: 'Resting ECG',
        amountCents: 8500,
        active: true,
      });
    // Priced now: the row is in the table, and ECG is no longer offered to add.
    expect(await page.locator('[data-testid="fee"][data-visit-type="ecg"]').count()).toBe(1);
    expect(await add.getByLabel('Visit type').locator('option', { hasText: /^ECG$/ }).count()).toBe(0);
    // Without Stripe on this server the kiosks cannot take cards: the choice is shown, and why it cannot be made.
    const kiosk = page.getByRole('checkbox', { name: /pay their copay at the kiosk/ });
    expect(await kiosk.isDisabled()).toBe(true);
    expect(await page.getByText('Card payments are not set up on this server').isVisible()).toBe(true);
    await saveScreenshot(page, 'fees');
    await expectNoAxeViolations(page);
  });
});
