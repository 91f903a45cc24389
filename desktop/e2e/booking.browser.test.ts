import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addDays,
  localDateAt,
  weekdayOf,
  type Appointment,
  type Patient,
  type Provider,
} from '@medisync/shared/domain';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { BookingPage } from './booking-page.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The booking screen and any dialog it opens; the top bar and navigation are the shell's tests' to check. */
/** A loaded two-core machine: local writes and live queries can take a few seconds to show. */
const soon = { timeout: 10_000 };
const BOOKING_SCREEN = { include: [['.book'], ['[role="dialog"]']] };

describeInBrowser('booking at the desk in Chromium against a real sync server', () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  async function serverAppointment(id: string): Promise<Appointment | undefined> {
    const rows = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [id]);
    return rows[0]?.doc;
  }

  it('books a free slot offline, refuses an overlap naming the clash, reschedules, cancels with a reason and books the freed slot from the waitlist', async () => {
    const [site] = await server.db.query<{ doc: { id: string; timezone: string } }>('SELECT doc FROM sites LIMIT 1');
    const timeZone = site!.doc.timezone;
    const [alvarez] = await server.db.query<{ doc: Provider }>(
      "SELECT doc FROM providers WHERE doc->>'displayName' = 'Dr. Maria Alvarez'",
    );
    const providerId = alvarez!.doc.id;
    // Two adults with family names nobody else has, so the picker finds each at once.
    const patients = await server.db.query<{ doc: Patient }>(
      `SELECT doc FROM patients WHERE NOT deleted AND doc->>'dob' < '2000-01-01'
         AND doc->>'familyName' IN (SELECT doc->>'familyName' FROM patients GROUP BY 1 HAVING count(*) = 1)
         AND doc->>'familyName' ~ '^[A-Z][a-z]+$' AND doc->>'givenName' ~ '^[A-Z][a-z]+$'
         -- Patients with nothing booked: the test counts their visits.
         AND id NOT IN (SELECT (doc->>'patientId')::uuid FROM appointments
                         WHERE doc->>'status' IN ('proposed', 'pending', 'booked', 'checked-in', 'arrived', 'waitlist'))
       ORDER BY id LIMIT 2`,
    );
    const [first, second] = patients.map((p) => p.doc) as [Patient, Patient];
    // A working weekday after today, so every slot is still ahead.
    let date = addDays(localDateAt(new Date(), timeZone), 2);
    while ([0, 6].includes(weekdayOf(date))) date = addDays(date, 1);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    onTestFailed(() => saveScreenshot(page, 'book-failed').then(() => undefined));
    const desk = new DeskPage(page);
    const book = new BookingPage(page);
    const baseUrl = `http://127.0.0.1:${proxy.port}/app/desktop/`;
    await page.goto(baseUrl);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await expect.poll(() => desk.syncLabel(), { timeout: 30_000 }).toBe('Online');

    await book.open(baseUrl, { patient: first.id, provider: providerId, date });
    await expect.poll(() => book.heading().textContent(), { timeout: 20_000 }).toBe('Book');
    await expect.poll(() => book.freeSlots().count(), { timeout: 20_000 }).toBeGreaterThan(3);
    await expect
      .poll(() => page.getByRole('heading', { name: /coming visits$/ }).textContent(), { timeout: 20_000 })
      .toBe(`${first.familyName}, ${first.givenName}: coming visits`);
    await expectNoAxeViolations(page, BOOKING_SCREEN);
    await saveScreenshot(page, 'book');

    // Offline: the booking is judged against the local replica and saved on the device.
    proxy.cut();
    await context.setOffline(true);
    await expect.poll(() => desk.syncLabel(), { timeout: 15_000 }).toMatch(/^Offline since/);
    const start = (await book.freeSlots().first().getAttribute('data-start'))!;
    await book.bookSlot(start);
    await expect.poll(() => book.outcome().textContent(), soon).toMatch(new RegExp(`^Booked ${first.familyName}, `));
    await expect.poll(() => book.slotAt(start).getAttribute('data-state'), soon).toBe('taken');
    await expect.poll(() => book.patientVisits().count(), soon).toBeGreaterThan(0);
    const visitId = (await book.patientVisits().first().getAttribute('data-appointment-id'))!;

    // The same slot again, for the second patient: refused, naming whom and when.
    await book.choosePatient(second.familyName, new RegExp(`^${second.familyName}, ${second.givenName}`));
    await book.bookSlot(start);
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Not booked' }).textContent(), soon)
      .toMatch(
        new RegExp(
          `^Not booked: Dr\\. Maria Alvarez already has ${first.familyName}, ${first.givenName} at \\d\\d:\\d\\d–\\d\\d:\\d\\d \\(Follow-up\\)`,
        ),
      );
    await saveScreenshot(page, 'book-overlap-refused');

    // Back online: the booking reaches the server.
    await context.setOffline(false);
    proxy.heal();
    await expect.poll(() => desk.pendingText(), { timeout: 30_000 }).toBe('All changes saved');
    expect(await serverAppointment(visitId)).toMatchObject({
      status: 'booked',
      start,
      providerId,
      patientId: first.id,
    });

    // The second patient goes on the waitlist for Dr. Alvarez's follow-ups.
    await book.addToWaitlist();
    await expect
      .poll(() => book.waitlistEntries().allTextContents(), soon)
      .toEqual([expect.stringContaining(`${second.familyName}, ${second.givenName}`)]);

    // Reschedule the first patient's visit to a later free slot.
    await book.open(baseUrl, { patient: first.id, provider: providerId, date });
    await book.reschedule(visitId);
    await expect.poll(() => book.heading().textContent(), soon).toBe('Reschedule');
    const later = (await book.freeSlots().nth(2).getAttribute('data-start'))!;
    await saveScreenshot(page, 'book-reschedule');
    await expectNoAxeViolations(page, BOOKING_SCREEN);
    await book.bookSlot(later);
    await expect.poll(() => book.outcome().textContent(), soon).toMatch(new RegExp(`^Moved ${first.familyName}, `));
    await expect.poll(() => book.heading().textContent(), soon).toBe('Book');
    await expect.poll(() => book.slotAt(later).getAttribute('data-state'), soon).toBe('taken');
    await expect.poll(() => book.slotAt(start).getAttribute('data-state'), soon).toBe('free');

    // Cancel it with a reason: the freed slot is offered to the waitlisted patient, booked in one action.
    await book.openCancel(visitId);
    await expect.poll(() => book.cancelDialog().count(), soon).toBe(1);
    await expect
      .poll(() => book.cancelDialog().getByRole('button', { name: 'Cancel appointment' }).isDisabled(), soon)
      .toBe(true);
    await book
      .cancelDialog()
      .getByLabel(/Reason for cancelling/)
      .fill('Patient unwell');
    await saveScreenshot(page, 'book-cancel-dialog');
    await expectNoAxeViolations(page, BOOKING_SCREEN);
    await book.cancelDialog().getByRole('button', { name: 'Cancel appointment' }).click();
    await expect.poll(() => book.cancelDialog().count(), soon).toBe(0);
    await expect
      .poll(() => book.waitlistOffer().textContent(), soon)
      .toContain(`Next on the waitlist for Follow-up: ${second.familyName}, ${second.givenName}`);
    await saveScreenshot(page, 'book-waitlist-offer');
    await expectNoAxeViolations(page, BOOKING_SCREEN);
    await book
      .waitlistOffer()
      .getByRole('button', { name: new RegExp(`^Book ${second.familyName}`) })
      .click();
    await expect
      .poll(() => book.outcome().textContent(), soon)
      .toMatch(new RegExp(`^Booked ${second.familyName}, .* from the waitlist`));
    await expect.poll(() => book.waitlistEntries().count(), soon).toBe(0);

    // "First available": every provider's free slots, earliest first; arrow keys and Enter book one.
    await page.getByRole('button', { name: /^Dr\. Maria Alvarez/ }).click();
    await page.getByRole('option', { name: 'First available' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /^First available/ }).count(), soon).toBe(1);
    await expect.poll(() => book.freeSlots().count(), soon).toBeGreaterThan(10);
    await saveScreenshot(page, 'book-first-available');
    await expectNoAxeViolations(page, BOOKING_SCREEN);
    const picked = (await book.freeSlots().nth(1).getAttribute('data-start'))!;
    await book.freeSlots().first().click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => book.outcome().textContent(), soon)
      .toMatch(new RegExp(`^Booked ${first.familyName}, ${first.givenName} for Follow-up on .* with `));

    // The server holds all of it.
    await expect.poll(() => desk.pendingText(), { timeout: 30_000 }).toBe('All changes saved');
    const cancelled = await serverAppointment(visitId);
    expect(cancelled).toMatchObject({ status: 'cancelled', start: later });
    expect(cancelled?.notes).toMatch(/Cancelled \d{4}-\d\d-\d\d: Patient unwell$/);
    const fromWaitlist = await server.db.query<{ doc: Appointment }>(
      "SELECT doc FROM appointments WHERE doc->>'patientId' = $1 AND doc->>'providerId' = $2 AND doc->>'status' = 'booked' AND doc->>'start' = $3",
      [second.id, providerId, later],
    );
    expect(fromWaitlist).toHaveLength(1);
    expect(fromWaitlist[0]!.doc.statusLog.map((e) => e.to)).toEqual(['waitlist', 'booked']);
    const bookedStarts = async () =>
      (
        await server.db.query<{ doc: Appointment }>(
          "SELECT doc FROM appointments WHERE doc->>'patientId' = $1 AND doc->>'status' = 'booked'",
          [first.id],
        )
      ).map((r) => r.doc.start);
    await expect.poll(bookedStarts, { timeout: 30_000 }).toEqual([picked]);

    await context.close();
  }, 180_000);
});
