import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HybridClock,
  localDateAt,
  mergeRecords,
  transitionRecord,
  zonedTimeToUtc,
  type Appointment,
  type QueueEntry,
} from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { InboxPage } from './inbox-page.js';
import { OtherDesk } from './other-desk.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAY = 24 * 60 * 60_000;

describeInBrowser('the conflicts inbox in Chromium against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let context: BrowserContext;
  let page: Page;
  let inbox: InboxPage;
  // Two desks that worked offline and pushed once back online.
  let deskA: OtherDesk;
  let deskB: OtherDesk;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();
    deskA = await OtherDesk.signIn(server, 'offline-desk-a');
    deskB = await OtherDesk.signIn(server, 'offline-desk-b');
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    inbox = new InboxPage(page);
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await desk.openView('Inbox');
    await inbox.heading().waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  const accessible = () => expectNoAxeViolations(page);
  const serverAppointment = (id: string) => deskA.serverDoc<'appointments'>('appointments', id);
  const serverEntry = (id: string) => deskA.serverDoc<'queueEntries'>('queue_entries', id);

  /** Two desks, each offline, book one provider's slot for different patients; the second to push is flagged. */
  async function doubleBooking(daysAhead: number, patientOffset: number): Promise<[Appointment, Appointment]> {
    const [providerId] = await deskA.providerIds();
    const [first, second] = await deskA.patients(2, patientOffset);
    const start = new Date(Math.ceil((Date.now() + daysAhead * DAY) / (60 * 60_000)) * 60 * 60_000);
    const kept = deskA.booking(first!, providerId!, start);
    const clashing = deskB.booking(second!, providerId!, start);
    await deskA.push('appointments', [kept]);
    await deskB.push('appointments', [clashing]);
    return [kept, clashing];
  }

  it('says there is nothing to resolve, then lists a double booking made on two desks offline and clears it with Keep both, on the server too', async () => {
    await expect.poll(() => inbox.emptySentence().count(), { timeout: 15_000 }).toBe(1);
    await saveScreenshot(page, 'inbox-empty');
    await accessible();

    const [kept, clashing] = await doubleBooking(30, 20);
    const line = inbox.lineFor(clashing.id);
    await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
    const [keptPatient, clashingPatient] = await deskA.patients(2, 20);
    await expect.poll(() => line.getByRole('heading').textContent()).toBe('Double booking');
    // The line names both patients, the other booking's arriving through the live stream like any record.
    await expect.poll(() => line.textContent()).toContain(`${keptPatient!.familyName}, ${keptPatient!.givenName}`);
    expect(await line.textContent()).toContain(`${clashingPatient!.familyName}, ${clashingPatient!.givenName}`);
    await expect.poll(() => inbox.topBarCount()).toMatch(/1/);
    await saveScreenshot(page, 'inbox-double-booking');
    await accessible();

    await line.getByRole('button', { name: 'Keep both' }).click();
    await expect.poll(() => line.count()).toBe(0);
    await expect.poll(() => inbox.emptySentence().count()).toBe(1);
    await expect.poll(() => inbox.announced()).toBe('Both bookings kept');
    await expect
      .poll(async () => (await serverAppointment(clashing.id))?.needsAttention, { timeout: 15_000 })
      .toBe(false);
    const resolved = await serverAppointment(clashing.id);
    expect(Object.values(resolved!.attention)).toEqual([
      expect.objectContaining({ code: 'overlapping-booking', resolvedAt: expect.any(String) }),
    ]);
    expect((await serverAppointment(kept.id))?.status).toBe('booked');
  });

  it('resolves a double booking by cancelling one with a reason', async () => {
    const [, clashing] = await doubleBooking(31, 22);
    const line = inbox.lineFor(clashing.id);
    await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => line.getByRole('link', { name: /^Move / }).getAttribute('href'))
      .toContain(`reschedule=${clashing.id}`);

    await line.getByRole('button', { name: 'Cancel one…' }).click();
    await expect.poll(() => inbox.dialog().count()).toBe(1);
    await inbox.dialog().getByRole('radio').nth(0).check();
    await inbox.dialog().getByLabel('Reason').fill('Booked twice by mistake');
    await saveScreenshot(page, 'inbox-cancel-one');
    await accessible();
    await inbox.dialog().getByRole('button', { name: 'Cancel this booking' }).click();
    await expect.poll(() => line.count()).toBe(0);
    await expect
      .poll(async () => (await serverAppointment(clashing.id))?.needsAttention, { timeout: 15_000 })
      .toBe(false);
    const cancelled = await serverAppointment(clashing.id);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.notes).toContain('Booked twice by mistake');
  });

  it('gives a new ticket when one ticket code was handed out twice', async () => {
    const [first, second] = await deskA.patients(2, 24);
    const a = deskA.walkIn(first!, 'A-977', { minutesAgo: 3 });
    const b = deskB.walkIn(second!, 'A-977', { minutesAgo: 2 });
    await deskA.push('queueEntries', [a]);
    await deskB.push('queueEntries', [b]);
    const line = inbox.lineFor(b.id);
    await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
    expect(await line.textContent()).toContain('Ticket A-977');

    await line.getByRole('button', { name: /a new ticket$/ }).click();
    await expect.poll(() => line.count()).toBe(0);
    await expect.poll(() => inbox.announced()).toMatch(/^A-977 is now A-\S+: tell the patient their new ticket$/);
    let renamed: QueueEntry | undefined;
    await expect
      .poll(
        async () => {
          renamed = await serverEntry(b.id);
          return renamed?.needsAttention;
        },
        { timeout: 15_000 },
      )
      .toBe(false);
    expect(renamed!.ticketCode).not.toBe('A-977');
  });

  it('keeps the check-in or accepts the no-show when one desk marked a no-show while another checked the patient in', async () => {
    const [providerId] = (await deskA.providerIds()).slice(-1);
    const [patient] = await deskA.patients(1, 26);
    // At 06:00 at the clinic, before it opens, so no demo booking clashes with it at any hour the test runs.
    const [site] = await server.db.query<{ timezone: string }>(`SELECT doc->>'timezone' AS timezone FROM sites`);
    const beforeOpening = zonedTimeToUtc(localDateAt(new Date(), site!.timezone), '06:00', site!.timezone);
    const booked = deskA.booking(patient!, providerId!, beforeOpening);
    await deskA.push('appointments', [booked]);
    // Offline, desk A checks the patient in while desk B marks the no-show; they meet when both sync.
    const checkedIn = transitionRecord('appointments', booked, 'checked-in', deskA.clock, deskA.actor);
    const noShow = transitionRecord('appointments', booked, 'noshow', new HybridClock('offline-desk-b'), deskB.actor);
    const met = mergeRecords('appointments', checkedIn, noShow);
    expect(met.status).toBe('checked-in');
    const pushed = await fetch(`${server.url}/sync/appointments/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deskA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { newDocumentState: { ...met, _deleted: false }, assumedMasterState: { ...booked, _deleted: false } },
      ]),
    });
    expect(pushed.status).toBe(200);

    const line = inbox.lineFor(booked.id);
    await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => line.getByRole('heading').textContent()).toBe('Conflicting status changes');
    expect(await line.textContent()).toMatch(/Marked “No-show” at \d\d:\d\d while the visit was “Checked in”/);
    await saveScreenshot(page, 'inbox-no-show-met-check-in');
    await accessible();

    // The patient never came after all: the check-in is taken back and the no-show stands, on the server too.
    await line.getByRole('button', { name: 'Accept “No-show”' }).click();
    await expect.poll(() => line.count()).toBe(0);
    await expect.poll(async () => (await serverAppointment(booked.id))?.status, { timeout: 15_000 }).toBe('noshow');
    expect((await serverAppointment(booked.id))?.needsAttention).toBe(false);
  });

  it('merges a patient registered twice on two desks offline', async () => {
    const first = deskA.registration('Ada', 'Oyelaran', '1971-04-09');
    const second = deskB.registration('Ada', 'Oyelaran', '1971-04-09');
    await deskA.push('patients', [first]);
    await deskB.push('patients', [second]);
    const line = inbox.lineFor(second.id);
    await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => line.getByRole('heading').textContent()).toBe('Probable duplicate patient');
    await expect.poll(async () => (await line.getByRole('listitem').allTextContents()).length).toBe(2);
    await expect
      .poll(async () =>
        (await line.getByRole('listitem').allTextContents()).every((t) =>
          t.startsWith('Oyelaran, Ada, born 1971-04-09'),
        ),
      )
      .toBe(true);
    await saveScreenshot(page, 'inbox-probable-duplicate');
    await accessible();

    await line.getByRole('button', { name: /^Merge into MRN-\d+…$/ }).click();
    await expect.poll(() => inbox.dialog().getByRole('heading').textContent()).toBe('Merge these patients?');
    await inbox.dialog().getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => line.count()).toBe(0);
    await expect
      .poll(async () => (await deskA.serverDoc<'patients'>('patients', second.id))?.mergedInto, { timeout: 15_000 })
      .toBe(first.id);
    const merged = await deskA.serverDoc<'patients'>('patients', second.id);
    expect(merged).toMatchObject({ active: false, needsAttention: false });
  });
});
