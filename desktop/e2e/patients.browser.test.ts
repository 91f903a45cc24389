import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  type Actor,
  type Appointment,
  type Patient,
  type QueueEntry,
} from '@medisync/shared/domain';
import { api, signIn } from '@medisync/sync-server/src/auth/testing.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { PatientsPage } from './patients-page.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** One person registered twice, once with accents and once without, as two desks offline might. */
const KEPT_NAME = 'Núñez García, María José';
const DUPLICATE_NAME = 'Nunez Garcia, Maria';
const DOB = '1988-04-14';
const PHONE = '+1 (917) 555-2233';

describeInBrowser('patients at the desk, in Chromium against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let context: BrowserContext;
  let page: Page;
  let patients: PatientsPage;
  let kept: Patient;
  let duplicate: Patient;
  let duplicateVisit: Appointment;
  let duplicateTicket: QueueEntry;

  async function serverDoc<T>(table: string, id: string): Promise<T> {
    const [row] = await server.db.query<{ doc: T }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]);
    return row!.doc;
  }

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();

    // Another desk registered the same person twice and booked a visit and a walk-in on the second record.
    const session = await signIn(server.url, 'desk@demo.clinic', 'medisync-demo');
    const actor: Actor = { id: session.user.id, role: 'desk', source: 'desk' };
    const clock = new HybridClock('other-desk');
    const patient = (givenName: string, familyName: string, phone: string | null) =>
      createRecord(
        'patients',
        {
          id: newId(),
          siteId: session.site.id,
          mrn: null,
          givenName,
          familyName,
          dob: DOB,
          sex: 'female',
          phone,
          email: null,
          address: null,
          preferredLanguage: 'es',
          insurance: { payer: 'Acme Health', memberId: 'ACM123456789', groupNumber: null },
          active: true,
          mergedInto: null,
        },
        clock,
        actor,
      );
    kept = patient('María José', 'Núñez García', PHONE);
    duplicate = patient('Maria', 'Nunez Garcia', null);
    const push = (collection: string, rows: unknown[]) =>
      api<{ rejected: unknown[] }>(server.url, `/sync/${collection}/push`, {
        token: session.accessToken,
        body: rows.map((row) => ({ newDocumentState: row, assumedMasterState: null })),
      });
    expect((await push('patients', [kept, duplicate])).body.rejected).toEqual([]);
    const [provider] = await server.db.query<{ id: string }>('SELECT id FROM providers ORDER BY id LIMIT 1');
    const start = new Date(Date.now() + 9 * 24 * 3_600_000);
    start.setUTCHours(14, 0, 0, 0);
    duplicateVisit = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: session.site.id,
        patientId: duplicate.id,
        providerId: provider!.id,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + 20 * 60_000).toISOString(),
        visitType: 'follow-up',
        status: 'booked',
        checkedInAt: null,
        copayCents: null,
        notes: null,
      },
      clock,
      actor,
    );
    duplicateTicket = createRecord(
      'queueEntries',
      {
        id: newId(),
        siteId: session.site.id,
        appointmentId: null,
        patientId: duplicate.id,
        queue: 'reception',
        ticketCode: 'A-977',
        priority: 'normal',
        status: 'waiting',
        checkedInAt: new Date().toISOString(),
        roomId: null,
      },
      clock,
      actor,
    );
    expect((await push('appointments', [duplicateVisit])).body.rejected).toEqual([]);
    expect((await push('queueEntries', [duplicateTicket])).body.rejected).toEqual([]);
    kept = await serverDoc<Patient>('patients', kept.id);
    expect(kept.mrn).toMatch(/^MRN-/);

    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    patients = new PatientsPage(page);
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await desk.todayHeading().waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  it('finds a patient by name in any order without accents, by birth date, MRN and phone, from the keyboard', async () => {
    await patients.searchBox().click();

    await patients.searchBox().pressSequentially('garcia maria jo', { delay: 15 });
    await expect
      .poll(() => patients.resultTexts(), { timeout: 20_000 })
      .toContainEqual(expect.stringMatching(new RegExp(`^${KEPT_NAME}born 14 Apr 1988 \\(\\d+\\) · MRN-`)));
    await saveScreenshot(page, 'patients-search');
    // While the results are open, React Aria hides the rest of the page from screen readers: check the results,
    // then the whole page once they close.
    await expectNoAxeViolations(page, '.patient-search__popover');
    await patients.closeResults();
    await expectNoAxeViolations(page);

    for (const spelling of ['1988-04-14', '04/14/1988', '14.04.1988', '14/04/1988']) {
      await patients.search(spelling);
      await expect
        .poll(() => patients.resultTexts())
        .toEqual(expect.arrayContaining([expect.stringContaining(KEPT_NAME), expect.stringContaining(DUPLICATE_NAME)]));
    }
    await patients.search(kept.mrn!);
    await expect
      .poll(() => patients.resultTexts())
      .toEqual([expect.stringContaining(KEPT_NAME), 'Show the match on the Patients screen']);
    await patients.search('917.555.2233');
    await expect
      .poll(() => patients.resultTexts())
      .toEqual([expect.stringContaining(KEPT_NAME), 'Show the match on the Patients screen']);

    // The namesake without an MRN yet reads "MRN pending"; the arrow keys and Enter open the patient.
    await patients.search('nunez 14.04.1988');
    await expect.poll(() => patients.resultTexts()).toHaveLength(3);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => patients.headingText()).toMatch(/^N[uú]ñ?n?ez Garc[ií]a, Mar[ií]a/);
  });

  it("shows a patient's page: contact, insurance, language, MRN, visits and the duplicate on file", async () => {
    await page.goto(`${server.url}/app/desktop/#/patients/${kept.id}`);
    await expect.poll(() => patients.headingText()).toBe(KEPT_NAME);
    expect(await patients.mrn()).toBe(kept.mrn);
    const text = await page.locator('main').textContent();
    expect(text).toContain(PHONE);
    expect(text).toContain('Acme Health');
    expect(text).toContain('Spanish');
    expect(text).toContain('Nothing booked');
    await expect
      .poll(() => patients.duplicates().allTextContents())
      .toEqual([expect.stringContaining(`${DUPLICATE_NAME}, born 14 Apr 1988`)]);
    await saveScreenshot(page, 'patient-page');
    await expectNoAxeViolations(page);
  });

  it('edits a patient, and the change reaches the server', async () => {
    await patients.link('Edit details').click();
    await expect.poll(() => patients.headingText()).toBe(`Edit ${KEPT_NAME}`);
    await patients.fill({ Email: 'not-an-email' });
    await patients.button('Save changes').click();
    await expect.poll(() => page.locator('form').getByText('That is not an email address.').count()).toBe(1);
    expect(await patients.field('Email').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => patients.announced()).toMatch(/^Not saved\. One field needs attention/);
    await saveScreenshot(page, 'patient-edit-error');
    await expectNoAxeViolations(page);

    await patients.fill({ Email: 'maria.nunez@example.org', Phone: '+1 (917) 555-4455' });
    await patients.button('Save changes').click();
    await expect.poll(() => patients.headingText()).toBe(KEPT_NAME);
    await expect.poll(() => page.locator('main').textContent()).toContain('maria.nunez@example.org');
    await expect
      .poll(async () => (await serverDoc<Patient>('patients', kept.id)).phone, { timeout: 30_000 })
      .toBe('+1 (917) 555-4455');
  });

  it('registers a patient: errors next to their fields, probable duplicates before saving, "MRN pending"', async () => {
    await page.goto(`${server.url}/app/desktop/#/patients`);
    await patients.field('Search patients').fill('garcia');
    await expect.poll(() => page.getByRole('row').filter({ hasText: KEPT_NAME }).count()).toBe(1);
    await expect.poll(() => page.getByRole('status').filter({ hasText: /match/ }).count()).toBe(1);
    await saveScreenshot(page, 'patients-list');
    await expectNoAxeViolations(page);
    await patients.link('Register a new patient').click();
    await expect.poll(() => patients.headingText()).toBe('Register a patient');

    await patients.button('Register patient').click();
    await expect.poll(() => page.locator('form').getByText('Enter the given name.').count()).toBe(1);
    // What was searched for comes along: here the family name.
    expect(await patients.field('Family name').inputValue()).toBe('garcia');
    await expect.poll(() => patients.announced()).toMatch(/^Not saved\. 4 fields need attention/);
    expect(await patients.field('Given name').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await patients.fill({
      'Given name': 'Mariá',
      'Family name': 'Nuñez-Garcia',
      'Date of birth': '14/04/1988',
      Sex: 'Female',
      Phone: '(917) 555 4455',
    });
    await expect.poll(() => patients.duplicates().count()).toBe(2);
    const lines = await patients.duplicates().allTextContents();
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${KEPT_NAME}, born 14 Apr 1988`),
        expect.stringContaining(`${DUPLICATE_NAME}, born 14 Apr 1988`),
      ]),
    );
    expect(lines.find((l) => l.includes(KEPT_NAME))).toContain('same family name and birth date and same phone');
    await patients.button('Register patient').click();
    await expect.poll(() => patients.announced()).toMatch(/may be the same person/);
    await saveScreenshot(page, 'patient-register-duplicates');
    await expectNoAxeViolations(page);

    await patients.button('Register anyway').click();
    await expect.poll(() => patients.headingText()).toBe('Nuñez-Garcia, Mariá');
    // Registered on this device: the server gives the MRN when the record reaches it.
    await expect.poll(() => patients.mrn(), { timeout: 30_000 }).toMatch(/^MRN-/);
  });

  it('walks a patient in: a queue entry without appointment and the ticket shown large', async () => {
    await patients.button('Walk in now').click();
    await expect.poll(() => patients.ticketCode()).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
    const code = await patients.ticketCode();
    await expect.poll(() => patients.announced()).toContain(`ticket ${code}`);
    const fontSize = await page
      .getByTestId('ticket-code')
      .evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(48);
    await saveScreenshot(page, 'patient-walk-in');
    await expectNoAxeViolations(page);
    await expect
      .poll(
        async () =>
          (
            await server.db.query<{ doc: QueueEntry }>(
              "SELECT doc FROM queue_entries WHERE doc->>'ticketCode' = $1 AND doc->>'appointmentId' IS NULL",
              [code],
            )
          ).length,
        { timeout: 30_000 },
      )
      .toBe(1);
  });

  it("checks in today's appointment from the patient's page, with the ticket shown", async () => {
    const [site] = await server.db.query<{ doc: { timezone: string } }>('SELECT doc FROM sites LIMIT 1');
    const timeZone = site!.doc.timezone;
    const { start, end } = dayRangeUtc(localDateAt(new Date(), timeZone), timeZone);
    const [booked] = await server.db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments WHERE doc->>'status' = 'booked' AND doc->>'start' >= $1 AND doc->>'start' < $2
        ORDER BY doc->>'start' LIMIT 1`,
      [start.toISOString(), end.toISOString()],
    );
    const appointment = booked!.doc;
    await page.goto(`${server.url}/app/desktop/#/patients/${appointment.patientId}`);
    await page
      .getByRole('button', { name: /^Check in for Today \d\d:\d\d$/ })
      .first()
      .click();
    await expect.poll(() => patients.ticketCode()).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
    await expect.poll(() => patients.announced()).toMatch(/^Checked in .*: ticket A-/);
    await expect
      .poll(async () => (await serverDoc<Appointment>('appointments', appointment.id)).status, { timeout: 30_000 })
      .toBe('checked-in');
  });

  it('merges the duplicate into the patient, keeping every visit of both', async () => {
    await page.goto(`${server.url}/app/desktop/#/patients/${kept.id}`);
    // On a fresh desk the patient may still be on its way with the first sync's history.
    await expect.poll(() => patients.headingText(), { timeout: 60_000 }).toBe(KEPT_NAME);
    const item = patients.duplicates().filter({ hasText: DUPLICATE_NAME });
    await item.getByRole('button', { name: /^Merge the two records/ }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    expect(await page.getByRole('radio', { name: /this page/ }).isChecked()).toBe(true);
    await saveScreenshot(page, 'patient-merge');
    await expectNoAxeViolations(page);
    await page.getByRole('dialog').getByRole('button', { name: 'Merge records' }).click();
    await expect
      .poll(() => patients.announced())
      .toMatch(/^Merged Nunez Garcia, Maria into Núñez García, María José; 2 visits moved/);
    // The moved booking now shows among the kept patient's visits.
    await expect.poll(() => page.locator('main').textContent()).toContain('Follow-up');

    await expect
      .poll(async () => (await serverDoc<Patient>('patients', duplicate.id)).mergedInto, { timeout: 30_000 })
      .toBe(kept.id);
    const merged = await serverDoc<Patient>('patients', duplicate.id);
    expect(merged).toMatchObject({ active: false, mergeRecord: { appointmentIds: [duplicateVisit.id] } });
    // Each collection syncs on its own, so the moved visits may reach the server a moment after the patient.
    await expect
      .poll(async () => (await serverDoc<Appointment>('appointments', duplicateVisit.id)).patientId, {
        timeout: 30_000,
      })
      .toBe(kept.id);
    await expect
      .poll(async () => (await serverDoc<QueueEntry>('queue_entries', duplicateTicket.id)).patientId, {
        timeout: 30_000,
      })
      .toBe(kept.id);

    // The merged record is found no more; its page says where the visits went.
    await patients.search('nunez garcia maria');
    await expect.poll(() => patients.resultTexts()).not.toContainEqual(expect.stringContaining(DUPLICATE_NAME));
    await patients.closeResults();
    await page.goto(`${server.url}/app/desktop/#/patients/${duplicate.id}`);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('This record was merged into');
  });

  it('lets an admin undo the merge: the moved visits go back to the record they came from', async () => {
    await server.db.query("UPDATE users SET role = 'admin' WHERE email = 'desk@demo.clinic'");
    const adminContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    try {
      const adminPage = await adminContext.newPage();
      const admin = new PatientsPage(adminPage);
      await adminPage.goto(`${server.url}/app/desktop/`);
      await new DeskPage(adminPage).signIn('desk@demo.clinic', 'medisync-demo');
      await new DeskPage(adminPage).todayHeading().waitFor({ timeout: 30_000 });
      // A fresh desk's own writes queue behind its first sync's history pages.
      await new DeskPage(adminPage).firstSyncDone();
      await adminPage.goto(`${server.url}/app/desktop/#/patients/${duplicate.id}`);
      await admin.button('Undo the merge').click({ timeout: 60_000 });
      // The announcement, or the error shown in its place. A fresh desk is still writing its first sync's
      // history, and local writes queue behind those pages.
      await expect
        .poll(async () => (await admin.announced()) || (await adminPage.getByRole('alert').allTextContents()).join(), {
          timeout: 60_000,
        })
        .toMatch(/^Merge undone/);
      await expect
        .poll(async () => (await serverDoc<Patient>('patients', duplicate.id)).mergedInto, { timeout: 30_000 })
        .toBeNull();
      expect(await serverDoc<Patient>('patients', duplicate.id)).toMatchObject({ active: true, mergeRecord: null });
      await expect
        .poll(async () => (await serverDoc<Appointment>('appointments', duplicateVisit.id)).patientId, {
          timeout: 30_000,
        })
        .toBe(duplicate.id);
      await expect
        .poll(async () => (await serverDoc<QueueEntry>('queue_entries', duplicateTicket.id)).patientId, {
          timeout: 30_000,
        })
        .toBe(duplicate.id);
    } finally {
      await adminContext.close();
    }
  });
});
