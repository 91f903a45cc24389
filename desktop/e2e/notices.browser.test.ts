import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addDays,
  addToWaitlist,
  createRecord,
  localDateAt,
  newId,
  zonedTimeToUtc,
  type Appointment,
  type Notice,
  type Site,
} from '@medisync/shared/domain';
import { reminderKeys } from '@medisync/sync-server/src/reminders/codes.js';
import { signAppointmentLink, signUnsubscribeLink } from '@medisync/sync-server/src/reminders/links.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, eventually, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { OtherDesk } from './other-desk.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('staff notices at the desk in Chromium, against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let context: BrowserContext;
  let page: Page;
  let other: OtherDesk;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();
    other = await OtherDesk.signIn(server, 'notices-other-desk');
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await desk.todayHeading().waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  const unread = () => page.getByTestId('notices-button').locator('.count').textContent();

  it("lets an admin set when the site's reminders go, its quiet hours and the address they print", async () => {
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await adminContext.newPage();
    const desk = new DeskPage(admin);
    await admin.goto(`${server.url}/app/desktop/`);
    await desk.signIn('admin@demo.clinic', 'medisync-demo');
    await desk.todayHeading().waitFor({ timeout: 20_000 });
    await admin.getByTestId('notices-button').click();
    await admin.getByRole('button', { name: 'Reminder settings' }).click();
    const form = admin.getByRole('form', { name: 'Reminder settings' });
    await form.getByLabel('Hours before the appointment').fill('24, 3');
    await form.getByLabel('Quiet hours from').fill('20:00');
    await form.getByLabel('until').fill('07:30');
    await form.getByLabel('Street and number').fill('5 Harbour Lane');
    await saveScreenshot(admin, 'desk-reminder-settings');
    await expectNoAxeViolations(admin, '.reminder-settings');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await eventually(async () => {
      const [row] = await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [other.siteId]);
      expect(row!.doc.reminders).toEqual({
        enabled: true,
        minutesBefore: [1440, 180],
        quietHours: { start: '20:00', end: '07:30' },
        almostTurnSms: true,
      });
      expect(row!.doc.address).toMatchObject({ line1: '5 Harbour Lane', city: 'New York' });
    });
    await adminContext.close();
  });

  it("records at the desk which messages a patient agreed to, and shows the patient's own opt-out", async () => {
    const [patient] = await other.patients(1, 240);
    await page.goto(`${server.url}/app/desktop/#/patients/${patient!.id}`);
    const card = page.getByTestId('contact-consent');
    // As a receptionist does: a click on the words.
    await card.getByText('Appointment reminders by email').click();
    await card.getByText('“Almost your turn” SMS while waiting').click();
    expect(await card.getByRole('checkbox', { name: /reminders by email/ }).isChecked()).toBe(true);
    await card.getByRole('button', { name: 'Save message choices' }).click();
    await eventually(async () => {
      const doc = await other.serverDoc<'patients'>('patients', patient!.id);
      expect(doc?.contactConsent).toMatchObject({ email: true, sms: false, almostTurnSms: true, changedVia: 'desk' });
    });
    await expect.poll(() => card.textContent()).toContain('at the desk');
    await expectNoAxeViolations(page);

    // The patient unsubscribes from a reminder email: the desk shows it as it arrives.
    const unsubscribe = await signUnsubscribeLink(reminderKeys(server.config.tokenSecret!), patient!.id, 'en');
    expect((await fetch(`${server.url}/r/unsubscribe/${unsubscribe}`, { method: 'POST' })).status).toBe(200);
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('from an unsubscribe link');
    expect(await card.getByRole('checkbox', { name: /reminders by email/ }).isChecked()).toBe(false);
    expect(await card.getByRole('checkbox', { name: /“Almost your turn”/ }).isChecked()).toBe(true);
    await page.goto(`${server.url}/app/desktop/#/today`);
  });

  it("hears live of a patient's cancel from a reminder and of the waitlist it suits, and books the waitlisted patient from the notice", async () => {
    // A provider of its own, so the demo clinic's waitlist has no one else for this time.
    const provider = createRecord(
      'providers',
      {
        id: newId(),
        siteIds: [other.siteId],
        displayName: 'Dr. Noor Haddad',
        specialty: 'Family medicine',
        active: true,
      },
      other.clock,
      other.actor,
    );
    await other.push('providers', [provider]);
    const [patient, waiting] = await other.patients(2, 250);
    const [site] = await server.db.query<{ zone: string }>(`SELECT doc->>'timezone' AS zone FROM sites WHERE id = $1`, [
      other.siteId,
    ]);
    const zone = site!.zone;
    const tomorrow = addDays(localDateAt(new Date(), zone), 1);
    const appointment = other.booking(patient!, provider.id, zonedTimeToUtc(tomorrow, '10:00', zone));
    const waitlisted = addToWaitlist(
      {
        siteId: other.siteId,
        patientId: waiting!.id,
        providerId: provider.id,
        visitType: appointment.visitType,
        fromDate: tomorrow,
        toDate: addDays(tomorrow, 3),
        timeZone: zone,
      },
      other.clock,
      other.actor,
    );
    await other.push('appointments', [appointment, waitlisted]);
    expect(await unread()).toBe('0');

    // The patient opens the link in their reminder and cancels: no sign-in, only the time and the provider.
    const link = await signAppointmentLink(reminderKeys(server.config.tokenSecret!), appointment, 'en');
    const patientPage = await context.newPage();
    await patientPage.goto(`${server.url}/r/${link}`);
    expect(await patientPage.getByTestId('provider').textContent()).toBe('Dr. Noor Haddad');
    expect(await patientPage.textContent('body')).not.toContain(patient!.familyName);
    await patientPage.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => patientPage.getByRole('status').textContent()).toContain('Your appointment is cancelled');
    await patientPage.close();

    // The desk hears of both at once, over its live connection.
    await expect.poll(() => unread(), { timeout: 15_000 }).toBe('2');
    await page.getByTestId('notices-button').click();
    const panel = page.getByRole('dialog', { name: 'Notices' });
    const cancelled = panel.getByTestId('notice').filter({ hasText: 'Cancelled from a reminder' });
    const offer = panel.getByTestId('notice').filter({ hasText: 'Freed time suits the waitlist' });
    await expect.poll(() => cancelled.textContent()).toContain(`${patient!.familyName}, ${patient!.givenName}`);
    await expect.poll(() => offer.textContent()).toContain(`${waiting!.familyName}, ${waiting!.givenName}`);
    expect(await offer.textContent()).toContain('with Dr. Noor Haddad');
    await saveScreenshot(page, 'desk-notices');
    // The open panel floats over the page, outside its landmarks: it is checked on its own, the page once it closes.
    await expectNoAxeViolations(page, '.notices-popover');

    // Booking from the notice works only if the desk's replica already has the cancel: the slot must be free there.
    await offer.getByRole('button', { name: /^Book / }).click();
    await eventually(async () => {
      const [row] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
        waitlisted.id,
      ]);
      expect(row?.doc).toMatchObject({ status: 'booked', start: appointment.start, end: appointment.end });
    });
    await cancelled.getByRole('button', { name: 'Mark read' }).click();
    await expect.poll(() => unread()).toBe('0');
    await eventually(async () => {
      const rows = await server.db.query<{ doc: Notice }>(
        `SELECT doc FROM notices WHERE doc->>'appointmentId' = $1 AND doc->>'kind' <> 'message-delivery'`,
        [appointment.id],
      );
      expect(rows.map((r) => r.doc.readAt)).toEqual([expect.any(String), expect.any(String)]);
    });
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    await expectNoAxeViolations(page);
  });
});
