import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRecord, HybridClock, newId, type Patient } from '@medisync/shared/domain';
import { api, signIn, staffUser, TEST_PASSWORD } from '@medisync/sync-server/src/auth/testing.js';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, serveDirectory, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { saveScreenshot } from './screenshots.js';

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

    await expect(desk.offlineBanner().textContent()).resolves.toMatch(/^Working offline since \d\d:\d\d\./);
    const id = await desk.checkInFirstBooked();
    // Checked in and queued: the card says the patient waits, with the ticket beside them.
    await expect.poll(() => desk.appointmentStatus(id)).toMatch(/^Waiting \d+ min$/);
    await expect.poll(() => desk.appointment(id).getByTestId('ticket').count()).toBe(1);
    await saveScreenshot(page, 'desk-offline-check-in');
    // The visit panel lies over the page's right side: the banner's words end before it, none hidden under it.
    const [bannerText, panel] = await Promise.all([
      desk.offlineBanner().locator('.banner__text').boundingBox(),
      desk.visitPanel().boundingBox(),
    ]);
    expect(bannerText!.x + bannerText!.width).toBeLessThanOrEqual(panel!.x);
    // The long offline line in the top bar leaves the search its whole placeholder.
    expect(await desk.searchPlaceholderOverflow()).toBeLessThanOrEqual(0);
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
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Queue' }).count()).toBe(1);

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

    // Only these two matter here: the other tests' check-ins may be waiting too.
    const ours = async () =>
      (
        await page
          .locator('[data-testid="queue-card"][data-column="waiting"]')
          .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-ticket') ?? ''))
      ).filter((ticket) => /A-90[12]/.test(ticket));
    await expect.poll(ours, { timeout: 15_000 }).toEqual(['A-902', 'A-901']);
    // The patient's record syncs on its own and may reach the desk a moment after the entry.
    await expect
      .poll(() => page.locator('[data-testid="queue-card"][data-ticket="A-902"]').textContent())
      .toContain(`${second!.familyName}, ${second!.givenName}`);
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
  /** A signed-in desk on Today with the day loaded, the sync online and the history in. */
  async function openDesk(email = 'desk@demo.clinic', password = 'medisync-demo') {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn(email, password);
    await expect.poll(() => desk.todayHeading().count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => desk.appointments().count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(() => desk.syncLabel(), { timeout: 30_000 }).toBe('Online');
    // The day is usable before the history has arrived; these tests start once it has.
    await desk.firstSyncDone();
    return { context, page, desk };
  }

  it('Today: metric cards, each provider’s day in time order with human labels, filters, the layout kept, another day read-only', async () => {
    const { context, page, desk } = await openDesk();
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
    expect(await desk.providerDays().count()).toBeGreaterThanOrEqual(4);
    for (const metric of ['booked', 'arrived', 'waiting', 'in-room', 'done', 'no-shows'] as const) {
      await expect.poll(() => desk.metric(metric).count()).toBe(1);
    }
    await expect
      .poll(async () => Number((await desk.metric('booked').textContent())?.match(/\d+/)?.[0]))
      .toBeGreaterThan(10);
    // The top bar keeps to one row on a desk's usual screens, so the day starts right under it.
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      const middles = await page
        .locator('.topbar > *')
        .evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((box) => box.top + box.height / 2));
      expect(Math.max(...middles) - Math.min(...middles), `top bar at ${width} px`).toBeLessThan(4);
      await saveScreenshot(page, `desk-top-bar-${width}`);
    }

    // Appointments in time order per provider, visit types in words, never a raw code.
    const firstColumn = desk.providerDays().first();
    const times = await firstColumn.locator('time').allTextContents();
    expect(times.length).toBeGreaterThan(3);
    expect([...times].sort()).toEqual(times);
    const text = (await page.getByTestId('timeline').textContent()) ?? '';
    expect(text).not.toMatch(/follow-up|sick-visit|annual-physical|new-patient|noshow|checked-in/);
    expect(text).toMatch(/Follow-up|Sick visit|Annual physical|New patient/);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-today');

    // Filters: one provider, then one visit type; the URL keeps them across a reload.
    const provider = (await firstColumn.getByRole('heading', { level: 2 }).locator('span').first().textContent())!;
    await desk.chooseFilter('Provider', provider);
    await expect.poll(() => desk.providerDays().count()).toBe(1);
    const typeLabel = (await desk.providerDays().first().locator('.visit__type').first().textContent())!;
    await desk.chooseFilter('Visit type', typeLabel);
    await expect
      .poll(async () => new Set(await desk.providerDays().first().locator('.visit__type').allTextContents()))
      .toEqual(new Set([typeLabel]));
    await page.reload();
    await expect.poll(() => desk.providerDays().count(), { timeout: 20_000 }).toBe(1);
    await expect
      .poll(async () => new Set(await page.locator('.visit__type').allTextContents()), { timeout: 20_000 })
      .toEqual(new Set([typeLabel]));
    await desk.chooseFilter('Provider', 'All providers');
    await desk.chooseFilter('Visit type', 'All visit types');
    await desk.chooseFilter('Status', 'Not arrived yet');
    await expect
      .poll(
        async () =>
          new Set(await desk.appointments().evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))),
      )
      .toEqual(new Set(['booked']));
    await desk.chooseFilter('Status', 'Any status');

    // Rows instead of columns, kept after a reload.
    await page
      .getByRole('radio', { name: 'Rows' })
      .or(page.getByRole('button', { name: 'Rows' }))
      .click();
    await expect.poll(() => page.getByTestId('timeline').getAttribute('data-layout')).toBe('rows');
    await saveScreenshot(page, 'desk-today-rows');
    await page.reload();
    await expect.poll(() => page.getByTestId('timeline').getAttribute('data-layout'), { timeout: 20_000 }).toBe('rows');
    await page
      .getByRole('radio', { name: 'Columns' })
      .or(page.getByRole('button', { name: 'Columns' }))
      .click();

    // The previous day: read-only, its date in the top bar and the URL.
    const todayShown = await desk.shownDate();
    const ofToday = await desk.appointmentIds();
    await page.getByRole('button', { name: 'Previous day' }).click();
    await expect.poll(() => desk.heading().textContent()).toMatch(/Past day: read-only/);
    expect(await desk.shownDate()).not.toBe(todayShown);
    expect(page.url()).toMatch(/#\/today\?date=\d{4}-\d{2}-\d{2}$/);
    // The clinic is closed at weekends: open the last weekday before today by its URL.
    let lastWeekday = /date=(\d{4}-\d{2}-\d{2})$/.exec(page.url())![1]!;
    while ([0, 6].includes(new Date(`${lastWeekday}T12:00:00Z`).getUTCDay())) {
      lastWeekday = new Date(Date.parse(`${lastWeekday}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    }
    await page.goto(page.url().replace(/date=[\d-]+$/, `date=${lastWeekday}`));
    await expect.poll(() => desk.heading().textContent()).toMatch(/Past day: read-only/);
    // A day's list shows only that day's visits, never the day shown before it while it loads.
    await expect.poll(() => desk.appointments().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const shown = await desk.appointmentIds();
    expect(shown.filter((id) => ofToday.includes(id))).toEqual([]);
    await desk.appointments().first().locator('[data-visit-trigger]').click();
    await expect.poll(() => desk.visitPanel().textContent()).toMatch(/A past visit: read-only/);
    expect(await desk.visitPanel().getByRole('button', { name: 'Check in', exact: true }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-past-day');
    await page.keyboard.press('Escape');
    await expect.poll(() => desk.visitPanel().count()).toBe(0);

    // Any day by the date picker's calendar; then back with the keyboard.
    await page.getByRole('button', { name: 'Open calendar' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Calendar' }).count()).toBe(1);
    await expectNoAxeViolations(page);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Back to today' }).click();
    await expect.poll(() => desk.todayHeading().count()).toBe(1);
    await page.keyboard.press(']');
    await expect.poll(() => desk.heading().textContent()).toMatch(/Upcoming day/);
    await page.keyboard.press('[');
    await expect.poll(() => desk.todayHeading().count()).toBe(1);
    await context.close();
  });

  it('checks in from Today with the checklist: the ticket large in the visit panel and on the card; undo takes it back', async () => {
    const { context, page, desk } = await openDesk();
    const [id] = await desk.appointmentIds('booked');
    await desk.appointmentButton(id!).click();
    const panel = desk.visitPanel();
    await expect.poll(() => panel.getByRole('heading', { name: 'Check-in checklist' }).count()).toBe(1);
    // Name and birth date are there to be read back.
    expect(await panel.textContent()).toMatch(/born \d{1,2} \w+ \d{4} \(age \d+\)/);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-visit-checklist');

    await panel.locator('label', { hasText: 'Identity confirmed' }).click();
    await panel.locator('label', { hasText: 'Contact up to date' }).click();
    // Insurance is skipped, with a reason kept in the visit's notes.
    await panel.getByLabel(/skipped/).fill('card at home');
    await panel.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect.poll(() => desk.ticketCode(), { timeout: 10_000 }).toMatch(/^A-\d{3}$/);
    const ticket = (await desk.ticketCode())!;
    const size = Number.parseFloat(
      await panel
        .getByTestId('ticket-code')
        .evaluate((el) => String(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize)),
    );
    expect(size).toBeGreaterThanOrEqual(48);
    // The reason goes to the notes in a write of its own, right after the check-in's.
    await expect.poll(() => panel.textContent()).toMatch(/insurance not checked \(card at home\)/);
    await expect.poll(() => desk.appointment(id!).getByTestId('ticket').textContent()).toContain(ticket);
    await expect.poll(() => desk.appointmentStatus(id!)).toMatch(/^Waiting \d+ min$/);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-visit-ticket');

    // Undo: booked again, out of the waiting list; checking in again gives the same ticket back.
    await panel.getByRole('button', { name: 'Undo check-in' }).click();
    await expect.poll(() => desk.appointmentStatus(id!)).toBe('Booked');
    const [entry] = await eventuallyRows(
      "SELECT doc FROM queue_entries WHERE doc->>'appointmentId' = $1 AND doc->>'status' = 'left'",
      [id!],
    );
    expect(entry).toMatchObject({ ticketCode: ticket });
    await panel.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect.poll(() => desk.ticketCode(), { timeout: 10_000 }).toBe(ticket);
    await context.close();
  });

  /** Rows the server holds once the desk's changes reached it. */
  async function eventuallyRows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    let rows: Record<string, unknown>[] = [];
    await expect
      .poll(
        async () => {
          rows = (await server.db.query<{ doc: Record<string, unknown> }>(sql, params)).map((r) => r.doc);
          return rows.length;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    return rows;
  }

  it('works from the keyboard: arrows and Enter, C to check in, N asks first, U undoes; / and Ctrl+K find a patient; ? lists the shortcuts', async () => {
    const { context, page, desk } = await openDesk();
    const booked = await desk.appointmentIds('booked');
    expect(booked.length).toBeGreaterThan(3);

    // Focus lands on a card; arrows move through the provider's day.
    await desk.appointmentButton(booked[0]!).focus();
    // The visit shown right below it in the same provider's day.
    const below = await desk
      .appointment(booked[0]!)
      .locator('xpath=ancestor::*[@data-testid="provider-day"]')
      .locator('[data-testid="appointment"]')
      .evaluateAll((cards, id) => {
        const ids = cards.map((card) => card.getAttribute('data-appointment-id'));
        return ids[ids.indexOf(id) + 1] ?? null;
      }, booked[0]!);
    expect(below).not.toBeNull();
    await page.keyboard.press('ArrowDown');
    expect(await desk.focusedVisit()).toBe(below);
    await page.keyboard.press('ArrowUp');
    expect(await desk.focusedVisit()).toBe(booked[0]);
    const column = await desk.focusedProvider();
    await page.keyboard.press('ArrowRight');
    expect(await desk.focusedProvider()).not.toBe(column);
    await page.keyboard.press('ArrowLeft');
    expect(await desk.focusedProvider()).toBe(column);
    await desk.appointmentButton(booked[0]!).focus();

    // Enter opens the visit panel; Esc closes it and gives the card its focus back.
    await page.keyboard.press('Enter');
    await expect.poll(() => desk.visitPanel().getAttribute('data-appointment-id')).toBe(booked[0]);
    expect(page.url()).toContain(`visit=${booked[0]}`);
    await page.keyboard.press('Escape');
    await expect.poll(() => desk.visitPanel().count()).toBe(0);
    await expect.poll(() => desk.focusedVisit()).toBe(booked[0]);

    // C: the checklist with Check in focused; Enter checks in.
    await page.keyboard.press('c');
    await expect.poll(() => desk.focusedText()).toBe('Check in');
    await page.keyboard.press('Enter');
    await expect.poll(() => desk.ticketCode(), { timeout: 10_000 }).toMatch(/^A-/);
    await page.keyboard.press('Escape');
    await expect.poll(() => desk.appointmentStatus(booked[0]!)).toMatch(/^Waiting/);
    // U undoes it.
    await desk.appointmentButton(booked[0]!).focus();
    await page.keyboard.press('u');
    await expect.poll(() => desk.appointmentStatus(booked[0]!)).toBe('Booked');

    // N asks first; Cancel keeps the booking, confirming marks the no-show, U takes it back.
    await page.keyboard.press('n');
    const confirm = page.getByRole('alertdialog', { name: 'Mark as a no-show?' });
    await expect.poll(() => confirm.count()).toBe(1);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-no-show-confirm');
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await desk.appointmentStatus(booked[0]!)).toBe('Booked');
    await desk.appointmentButton(booked[0]!).focus();
    await page.keyboard.press('n');
    await confirm.getByRole('button', { name: 'Mark no-show' }).click();
    await expect.poll(() => desk.appointmentStatus(booked[0]!)).toBe('No-show');
    await desk.appointmentButton(booked[0]!).focus();
    await page.keyboard.press('u');
    await expect.poll(() => desk.appointmentStatus(booked[0]!)).toBe('Booked');

    // / and Ctrl+K put the cursor in the patient search, from anywhere.
    await desk.appointmentButton(booked[1]!).focus();
    await page.keyboard.press('/');
    await expect.poll(() => desk.focusIsInSearch()).toBe(true);
    await desk.openView('Queue');
    await page.keyboard.press('Control+k');
    await expect.poll(() => desk.focusIsInSearch()).toBe(true);

    // ? lists the shortcuts in a dialog; Esc closes it.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('?');
    await expect.poll(() => desk.helpDialog().count()).toBe(1);
    expect(await desk.helpDialog().textContent()).toMatch(/Find a patient.*Check in/s);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-help');
    await page.keyboard.press('Escape');
    await expect.poll(() => desk.helpDialog().count()).toBe(0);

    // Alt+1 goes back to Today.
    await page.keyboard.press('Alt+1');
    await expect.poll(() => desk.todayHeading().count()).toBe(1);
    await context.close();
  });

  it('says clearly when the session was ended elsewhere, and keeps the day on screen', async () => {
    const siteId = (await signIn(server.url, 'desk@demo.clinic', 'medisync-demo')).site.id;
    const user = await staffUser(server.db, [siteId]);
    const admin = await staffUser(server.db, [siteId], 'admin');
    const { context, page, desk } = await openDesk(user.email, TEST_PASSWORD);

    const adminSession = await signIn(server.url, admin.email, TEST_PASSWORD);
    const changed = await api(server.url, `/admin/users/${user.id}`, {
      method: 'PATCH',
      token: adminSession.accessToken,
      body: { password: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);

    await expect.poll(() => desk.revokedBanner().count(), { timeout: 15_000 }).toBe(1);
    expect(await desk.revokedBanner().getAttribute('role')).toBe('alert');
    expect(await desk.revokedBanner().textContent()).toMatch(/kept on this device/);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await desk.appointments().count()).toBeGreaterThan(10);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'desk-revoked');
    await context.close();
  });

  it('every screen has a URL, one h1, and passes axe; a reload keeps the place', async () => {
    const { context, page, desk } = await openDesk();
    for (const [name, path] of [
      ['Queue', '#/queue'],
      ['Patients', '#/patients'],
      ['Book', '#/book'],
      ['Inbox', '#/inbox'],
      ['Today', '#/today'],
    ] as const) {
      await desk.openView(name);
      await expect.poll(() => page.url()).toContain(path);
      await expect.poll(() => desk.heading().count()).toBe(1);
      await expect
        .poll(() => page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]').textContent())
        .toMatch(new RegExp(`^${name}`));
    }
    await desk.openView('Queue');
    await page.reload();
    await expect.poll(() => page.url()).toContain('#/queue');
    await expect.poll(() => desk.heading().textContent(), { timeout: 20_000 }).toMatch(/^Queue/);
    await desk.openView('Today');
    await context.close();
  });
});
