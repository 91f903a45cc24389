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
  changeRecord,
  createRecord,
  dayRangeUtc,
  HybridClock,
  kioskLockoutRule,
  localDateAt,
  newId,
  transitionRecord,
  type Patient,
  type Provider,
  type Room,
  type Site,
  type CheckInSettings,
} from '@medisync/shared/domain';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogues } from '../src/renderer/i18n/index.js';
import { enroll, identifyAtKiosk, patientWithoutVisitsToday, push, signIn, type Staff } from './lobby-session.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = catalogues.en;

describeInBrowser('the lobby pages in Chromium, enrolled at a real sync server', () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let admin: Staff;
  let desk: Staff;
  const clock = new HybridClock('lobby-test');
  const one = async <T>(sql: string) => (await server.db.query<{ doc: T }>(sql))[0]!.doc;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/kiosk', dir: renderer.dir }] });
    // Lobby pages reach the server through this proxy, so a test can pull the cable.
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
    admin = await signIn(server, 'admin@demo.clinic');
    desk = await signIn(server, 'desk@demo.clinic');
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  it("checks a patient in for today's appointment from the kiosk's own replica", async () => {
    const patient = await one<Patient>(patientWithoutVisitsToday());
    const provider = await one<Provider>('SELECT doc FROM providers LIMIT 1');
    const now = Date.now();
    const today = dayRangeUtc(localDateAt(new Date(now), desk.site.timezone), desk.site.timezone);
    const start = new Date(Math.max(now - 60_000, today.start.getTime()));
    const booked = async (at: Date, notes: string | null) => {
      const visit = createRecord(
        'appointments',
        {
          id: newId(),
          siteId: desk.site.id,
          patientId: patient.id,
          providerId: provider.id,
          roomId: null,
          start: at.toISOString(),
          end: new Date(at.getTime() + 15 * 60_000).toISOString(),
          visitType: 'follow-up',
          status: 'booked',
          copayCents: null,
          notes,
        },
        clock,
        desk.actor,
      );
      await push(server, desk, 'appointments', visit);
      return visit;
    };
    const appointment = await booked(start, 'private note the kiosk must never hold');
    // A second visit this afternoon, too far ahead to check in for now.
    await booked(new Date(start.getTime() + 3 * 3_600_000), null);

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

    // Asking again (a second try, a lost ticket) says they are here already, not that they are early
    // for the afternoon, and is no miss: more tries than the lockout allows leave the search open.
    for (let attempt = 0; attempt <= kioskLockoutRule.maxMisses; attempt++) {
      await page.getByRole('button', { name: t.finish }).click();
      await identifyAtKiosk(page, t, patient.familyName, patient.dob);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t.alreadyHereTitle);
    }
    expect(await page.textContent('main')).toContain(t.alreadyHere);
    await saveScreenshot(page, 'lobby-kiosk-already-here');
    await page.getByRole('button', { name: t.finish }).click();
    await page.getByRole('button', { name: t.start }).click();
    expect(await page.getByTestId('kiosk-locked').count()).toBe(0);
    await page.close();
  });

  it('shows a call on the waiting-room display with its room, announced, and no patient name anywhere', async () => {
    const patient = await one<Patient>("SELECT doc FROM patients WHERE doc->>'active' = 'true' OFFSET 1 LIMIT 1");
    const room = await one<Room>('SELECT doc FROM rooms LIMIT 1');
    const page = await browser.newPage();
    await page.goto(`${server.url}/app/kiosk/display.html`);
    await enroll(page, server, admin, 'display');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 })
      .toBe(t.displayTitle);
    // The clinic's name from the site, not the patient's.
    await expect.poll(() => page.getByTestId('display-clinic').textContent(), { timeout: 20_000 }).not.toBe('');
    // Caught up with the server: what was called before it opened is on the board, not read out.
    await expect.poll(() => page.getByRole('main').getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');

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
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'lobby-display');
    await page.close();
  });

  // -------------------------------------------------------------------------
  // Check-in window, walk-ins and the lockout, against the real server

  /** The site's check-in rules, set by an administrator before the kiosk opens. */
  async function setCheckIn(settings: CheckInSettings) {
    const site = await one<Site>(`SELECT doc FROM sites WHERE id = '${desk.site.id}'`);
    await push(server, admin, 'sites', changeRecord('sites', site, { checkIn: settings }, clock));
  }

  /** A new patient with one appointment today at `start`, so the kiosk finds exactly one. */
  async function bookToday(familyName: string, start: Date) {
    const provider = await one<Provider>('SELECT doc FROM providers LIMIT 1');
    const patient = createRecord(
      'patients',
      {
        id: newId(),
        siteId: desk.site.id,
        mrn: null,
        givenName: 'Lena',
        familyName,
        dob: '1970-01-15',
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
        notes: null,
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'appointments', appointment);
    return { patient, appointment };
  }

  async function openKiosk(viaProxy = false) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${viaProxy ? `http://127.0.0.1:${proxy.port}` : server.url}/app/kiosk/check-in.html`);
    await enroll(page, server, admin, 'kiosk');
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 20_000 }).toBe('Online');
    return page;
  }

  const identify = (page: Page, familyName: string, dob: string) => identifyAtKiosk(page, t, familyName, dob);

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const siteTime = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: desk.site.timezone,
    }).format(new Date(iso));
  const today = () => dayRangeUtc(localDateAt(new Date(), desk.site.timezone), desk.site.timezone);

  it('tells a patient who is too early when to come back, or checks them in for their own time where the clinic allows it', async () => {
    const start = new Date(Math.min(Date.now() + 3 * 3_600_000, today().end.getTime() - 60_000));
    if (start.getTime() - Date.now() < 70 * 60_000) return; // too close to midnight at the site to be early today
    const { appointment } = await bookToday('Earlybird', start);
    await setCheckIn({ earliestMinutesBefore: 60, latestMinutesAfter: 15, tooEarly: 'refuse', walkIns: false });
    const page = await openKiosk();
    await identify(page, 'Earlybird', '1970-01-15');
    await expect.poll(() => heading(page)).toBe(t.tooEarlyTitle);
    const opensAt = new Date(start.getTime() - 60 * 60_000).toISOString();
    expect(await page.textContent('main')).toContain(t.tooEarly(siteTime(appointment.start), siteTime(opensAt)));
    expect(await page.getByRole('button', { name: t.confirm }).count()).toBe(0);
    await saveScreenshot(page, 'lobby-kiosk-too-early');
    await page.context().close();

    await setCheckIn({
      earliestMinutesBefore: 60,
      latestMinutesAfter: 15,
      tooEarly: 'allow-and-tell-desk',
      walkIns: false,
    });
    const allowed = await openKiosk();
    await identify(allowed, 'Earlybird', '1970-01-15');
    await expect.poll(() => heading(allowed)).toBe(t.tooEarlyTitle);
    await allowed.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => heading(allowed)).toBe(t.doneTitle);
    // Their wait is for their own appointment, hours away: never "about 0 minutes".
    expect(await allowed.getByTestId('wait').textContent()).toBe(t.waitUntil(siteTime(appointment.start)));
    await eventually(async () => {
      const [row] = await server.db.query<{ doc: { status: string } }>('SELECT doc FROM appointments WHERE id = $1', [
        appointment.id,
      ]);
      expect(row?.doc.status).toBe('checked-in');
    });
    await allowed.context().close();
  });

  it('sends a patient who is too late to the front desk', async () => {
    const start = new Date(Math.max(Date.now() - 60 * 60_000, today().start.getTime()));
    if (Date.now() - start.getTime() < 20 * 60_000) return; // the site's day has only just begun
    const { appointment } = await bookToday('Latecomer', start);
    await setCheckIn({ earliestMinutesBefore: 60, latestMinutesAfter: 15, tooEarly: 'refuse', walkIns: false });
    const page = await openKiosk();
    await identify(page, 'Latecomer', '1970-01-15');
    await expect.poll(() => heading(page)).toBe(t.tooLateTitle);
    expect(await page.textContent('main')).toContain(t.tooLate(siteTime(appointment.start)));
    expect(await page.getByRole('button', { name: t.confirm }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it('says when there is no appointment today, and registers a walk-in where the clinic allows it, online and offline', async () => {
    await setCheckIn({ earliestMinutesBefore: 60, latestMinutesAfter: 15, tooEarly: 'refuse', walkIns: false });
    const refused = await openKiosk();
    await identify(refused, 'Nobody-Here', '1990-01-01');
    await expect.poll(() => heading(refused)).toBe(t.noAppointmentTitle);
    expect(await refused.textContent('main')).toContain(t.seeDesk);
    expect(await refused.getByRole('button', { name: t.walkInStart }).count()).toBe(0);
    await refused.context().close();

    await setCheckIn({ earliestMinutesBefore: 60, latestMinutesAfter: 15, tooEarly: 'refuse', walkIns: true });
    for (const offline of [false, true]) {
      const familyName = offline ? 'Walkin-Offline' : 'Walkin-Online';
      const page = await openKiosk(offline);
      if (offline) {
        proxy.cut();
        await page.context().setOffline(true);
        await expect
          .poll(() => page.getByTestId('device-status').textContent(), { timeout: 15_000 })
          .toMatch(/^Offline/);
      }
      await identify(page, familyName, '1988-08-08');
      await expect.poll(() => heading(page)).toBe(t.noAppointmentTitle);
      await page.getByRole('button', { name: t.walkInStart }).click();
      await page.getByLabel(t.givenName).fill('Sam');
      await page.getByRole('button', { name: t.walkInSubmit }).click();
      await expect.poll(() => heading(page)).toBe(t.doneTitle);
      const ticket = await page.getByTestId('ticket-code').textContent();
      expect(ticket).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
      if (offline) {
        await saveScreenshot(page, 'lobby-kiosk-walk-in-offline');
        await page.context().setOffline(false);
        proxy.heal();
      }
      await eventually(async () => {
        const patients = await server.db.query<{ id: string; doc: { givenName: string; mrn: string | null } }>(
          "SELECT id, doc FROM patients WHERE doc->>'familyName' = $1",
          [familyName],
        );
        expect(patients).toHaveLength(1);
        expect(patients[0]!.doc.givenName).toBe('Sam');
        // The server gives the MRN.
        expect(patients[0]!.doc.mrn).not.toBeNull();
        const entries = await server.db.query<{ doc: { ticketCode: string; appointmentId: string | null } }>(
          "SELECT doc FROM queue_entries WHERE doc->>'patientId' = $1",
          [patients[0]!.id],
        );
        expect(entries.map((e) => e.doc)).toEqual([
          expect.objectContaining({ ticketCode: ticket, appointmentId: null }),
        ]);
      }, 30_000);
      await page.context().close();
    }
  });

  it('keeps the identity-search lock after a reload', async () => {
    await setCheckIn({ earliestMinutesBefore: 60, latestMinutesAfter: 15, tooEarly: 'refuse', walkIns: false });
    const page = await openKiosk();
    for (let miss = 1; miss <= 5; miss++) {
      await identify(page, `Nobody${miss}`, '1990-01-01');
      if (miss < 5) {
        await expect.poll(() => heading(page)).toBe(t.noAppointmentTitle);
        await page.getByRole('button', { name: t.finish }).click();
      }
    }
    await expect.poll(() => page.getByTestId('kiosk-locked').textContent()).toBe(t.locked);
    await page.reload();
    await expect.poll(() => page.getByTestId('device-status').count(), { timeout: 20_000 }).toBe(1);
    await page.getByRole('button', { name: t.start }).click();
    await expect.poll(() => page.getByTestId('kiosk-locked').textContent()).toBe(t.locked);
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.context().close();
  });
});
