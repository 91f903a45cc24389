import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildRenderer,
  describeInBrowser,
  eventually,
  expectNoAxeViolations,
  launchChromium,
  saveScreenshot,
  type BuiltRenderer,
} from '@medisync/desktop/testing/browser';
import {
  addDays,
  changeRecord,
  createRecord,
  HybridClock,
  localDateAt,
  newId,
  zonedTimeToUtc,
  type Appointment,
  type Provider,
  type Site,
} from '@medisync/shared/domain';
import { AuditLog } from '@medisync/sync-server/src/audit/audit-log.js';
import { serverWrites } from '@medisync/sync-server/src/billing/accounts.js';
import { createLogger } from '@medisync/sync-server/src/logger.js';
import { appointmentCodeFor, issueAppointmentCode, reminderKeys } from '@medisync/sync-server/src/reminders/codes.js';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogues } from '../src/renderer/i18n/index.js';
import { writeQrCodeVideo } from './fake-camera.js';
import { enroll, push, signIn, type Staff } from './lobby-session.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = catalogues.en;

describeInBrowser("a reminder's code checks a patient in at the kiosk (Chromium, real sync server)", () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let admin: Staff;
  let desk: Staff;
  const clock = new HybridClock('reminder-code-test');

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/kiosk', dir: renderer.dir }] });
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
    admin = await signIn(server, 'admin@demo.clinic');
    desk = await signIn(server, 'desk@demo.clinic');
    // Any hour of today is within the check-in window, so the test holds whenever it runs.
    const [site] = await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [desk.site.id]);
    const checkIn = { earliestMinutesBefore: 24 * 60, latestMinutesAfter: 24 * 60, tooEarly: 'refuse', walkIns: false };
    await push(server, admin, 'sites', changeRecord('sites', site!.doc, { checkIn } as Partial<Site>, clock));
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  /** A new patient booked today at a fixed site-local time, with the code a reminder would carry. */
  async function bookWithCode(familyName: string, time: string) {
    const [provider] = await server.db.query<{ doc: Provider }>('SELECT doc FROM providers LIMIT 1');
    const patient = createRecord(
      'patients',
      {
        id: newId(),
        siteId: desk.site.id,
        mrn: null,
        givenName: 'Rosa',
        familyName,
        dob: '1966-06-06',
        sex: 'female',
        phone: null,
        email: null,
        address: null,
        preferredLanguage: 'en',
        insurance: null,
        active: true,
        mergedInto: null,
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'patients', patient);
    const today = localDateAt(new Date(), desk.site.timezone);
    const start = zonedTimeToUtc(today, time, desk.site.timezone);
    const appointment = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: desk.site.id,
        patientId: patient.id,
        providerId: provider!.doc.id,
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
    await push(server, desk, 'appointments', appointment);
    const deps = {
      db: server.db,
      io: server.io,
      log: createLogger('silent'),
      audit: new AuditLog(server.db),
      afterWrite: serverWrites('usd'),
    };
    const code = await issueAppointmentCode(deps, keys(), appointment, desk.site.timezone);
    return { appointment, code };
  }

  const keys = () => reminderKeys(server.config.tokenSecret!);
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  async function enterCode(page: Page, code: string) {
    await page.getByRole('button', { name: t.start }).click();
    await page.getByRole('radio', { name: t.byCode }).check();
    await page.getByRole('textbox', { name: t.reminderCode }).fill(code);
    await page.getByRole('button', { name: t.find }).click();
  }

  /** A new kiosk, enrolled and synced, with its QR scanner open. */
  async function openScanner(page: Page) {
    await page.goto(`${server.url}/app/kiosk/check-in.html`);
    await enroll(page, server, admin, 'kiosk');
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 20_000 }).toBe('Online');
    await page.getByRole('button', { name: t.start }).click();
    await page.getByRole('radio', { name: t.byCode }).check();
    await page.getByRole('button', { name: t.scanQr }).click();
  }

  async function checkedInAtServer(appointment: Appointment) {
    await eventually(async () => {
      const [row] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
        appointment.id,
      ]);
      expect(row?.doc).toMatchObject({ status: 'checked-in', checkInSource: 'kiosk' });
    }, 30_000);
  }

  it('checks in online and offline; a used code says the patient is checked in already, a code for another day is refused, saying why', async () => {
    const online = await bookWithCode('Codeonline', '11:00');
    const offline = await bookWithCode('Codeoffline', '11:30');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${proxy.port}/app/kiosk/check-in.html`);
    await enroll(page, server, admin, 'kiosk');
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 20_000 }).toBe('Online');
    // Typed as a patient might: lower case, without the dashes.
    await enterCode(page, online.code.toLowerCase().replace(/-/g, ''));
    await expect.poll(() => heading(page)).toBe(t.confirmTitle);
    expect(await page.textContent('main')).toContain(t.greeting('Rosa C.'));
    await page.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => heading(page)).toBe(t.doneTitle);
    await checkedInAtServer(online.appointment);
    await page.getByRole('button', { name: t.finish }).click();

    // The code again: the patient is told they are checked in already, not that the code failed.
    await enterCode(page, online.code);
    await expect.poll(() => heading(page)).toBe(t.alreadyHereTitle);
    expect(await page.textContent('main')).toContain(t.greeting('Rosa C.'));
    // Its one button stands under the centred message, not off to one side.
    const centre = (box: { x: number; width: number } | null) => (box ? box.x + box.width / 2 : NaN);
    const messageCentre = centre(await page.getByRole('heading', { level: 1 }).boundingBox());
    const buttonCentre = centre(await page.getByRole('button', { name: t.finish }).boundingBox());
    expect(Math.abs(buttonCentre - messageCentre)).toBeLessThan(2);
    await saveScreenshot(page, 'kiosk-reminder-code-used');
    await page.getByRole('button', { name: t.finish }).click();

    const tomorrow = addDays(localDateAt(new Date(), desk.site.timezone), 1);
    const later = appointmentCodeFor(
      keys(),
      { id: offline.appointment.id, start: zonedTimeToUtc(tomorrow, '11:30', desk.site.timezone).toISOString() },
      desk.site.timezone,
    );
    await enterCode(page, later.code);
    await expect.poll(() => page.getByTestId('kiosk-error').textContent()).toBe(t.codeOtherDay);

    // The network goes: the code is checked against the replica's hash all the same.
    proxy.cut();
    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 15_000 }).toMatch(/^Offline/);
    await page.getByRole('textbox', { name: t.reminderCode }).fill(offline.code);
    await page.getByRole('button', { name: t.find }).click();
    await expect.poll(() => heading(page)).toBe(t.confirmTitle);
    await page.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => heading(page)).toBe(t.doneTitle);
    expect(await page.getByTestId('ticket-code').textContent()).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
    await saveScreenshot(page, 'kiosk-reminder-code-offline');
    await context.setOffline(false);
    proxy.heal();
    await checkedInAtServer(offline.appointment);
    await context.close();
  });

  it('tells the patient to type the code when the kiosk has no camera', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openScanner(page);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(t.scanUnavailable);
    // The scanner is gone, with nothing left to press to type: the code field has the focus.
    expect(await page.getByTestId('qr-scanner').count()).toBe(0);
    expect(await page.getByRole('button', { name: t.typeCodeInstead }).count()).toBe(0);
    expect(await page.getByRole('button', { name: t.scanQr }).count()).toBe(0);
    const field = page.getByRole('textbox', { name: t.reminderCode });
    await expect(field.evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'kiosk-scanner-no-camera');
    await context.close();
  });

  it("reads the reminder's QR code with the kiosk's camera and checks the patient in", async () => {
    const scanned = await bookWithCode('Codescan', '12:00');
    // Chromium's fake camera shows the QR code of the email.
    const folder = await mkdtemp(path.join(tmpdir(), 'kiosk-camera-'));
    const video = path.join(folder, 'qr.y4m');
    await writeQrCodeVideo(video, scanned.code);
    const camera = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await camera.newContext();
      await context.grantPermissions(['camera'], { origin: server.url });
      const page = await context.newPage();
      await openScanner(page);
      // zxing decodes a frame every half second; with the rest of the suite's browsers beside it,
      // the first readable frame took over 15 s once.
      await expect.poll(() => heading(page), { timeout: 30_000 }).toBe(t.confirmTitle);
      expect(await page.textContent('main')).toContain(t.greeting('Rosa C.'));
      await page.getByRole('button', { name: t.confirm }).click();
      await expect.poll(() => heading(page)).toBe(t.doneTitle);
      await checkedInAtServer(scanned.appointment);
    } finally {
      await camera.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
