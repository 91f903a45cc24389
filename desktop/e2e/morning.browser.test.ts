import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addDays,
  dayRangeUtc,
  localDateAt,
  weekdayOf,
  type Appointment,
  type Patient,
  type QueueEntry,
} from '@medisync/shared/domain';
import { CuttableProxy } from '@medisync/sync-server/src/testing/cuttable-proxy.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { MorningPage, type PersonName } from './morning-page.js';
import { OtherDesk } from './other-desk.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAY = 24 * 60 * 60_000;

describeInBrowser("a receptionist's morning in Chromium against a real sync server", () => {
  let server: TestServer;
  let proxy: CuttableProxy;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let deskA: OtherDesk;
  let deskB: OtherDesk;
  let timeZone: string;
  let alvarezId: string;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    // The browser reaches the server only through this proxy, so the second morning can pull the cable.
    proxy = await CuttableProxy.start(server.port);
    browser = await launchChromium();
    deskA = await OtherDesk.signIn(server, 'morning-desk-a');
    deskB = await OtherDesk.signIn(server, 'morning-desk-b');
    const [site] = await server.db.query<{ doc: { timezone: string } }>('SELECT doc FROM sites LIMIT 1');
    timeZone = site!.doc.timezone;
    const [alvarez] = await server.db.query<{ id: string }>(
      "SELECT id FROM providers WHERE doc->>'displayName' = 'Dr. Maria Alvarez'",
    );
    alvarezId = alvarez!.id;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await renderer?.remove();
  });

  const serverDoc = async <T>(table: string, id: string): Promise<T | undefined> =>
    (await server.db.query<{ doc: T }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]))[0]?.doc;

  /** A patient booked once today, still to arrive, whose full name nobody else has: the search finds them alone. */
  async function bookedToday(offset: number): Promise<{ appointment: Appointment; patient: Patient }> {
    const { start, end } = dayRangeUtc(localDateAt(new Date(), timeZone), timeZone);
    const rows = await server.db.query<{ appointment: Appointment; patient: Patient }>(
      `SELECT a.doc AS appointment, p.doc AS patient
         FROM appointments a JOIN patients p ON p.id::text = a.doc->>'patientId'
        WHERE a.doc->>'status' = 'booked' AND a.doc->>'start' >= $1 AND a.doc->>'start' < $2
          AND p.doc->>'familyName' ~ '^[A-Z][a-z]+$' AND p.doc->>'givenName' ~ '^[A-Z][a-z]+$'
          AND (SELECT count(*) FROM appointments b WHERE b.doc->>'patientId' = a.doc->>'patientId'
                AND b.doc->>'start' >= $1 AND b.doc->>'start' < $2) = 1
          AND (SELECT count(*) FROM patients q WHERE q.doc->>'familyName' = p.doc->>'familyName'
                AND q.doc->>'givenName' = p.doc->>'givenName') = 1
        ORDER BY a.doc->>'start' LIMIT 1 OFFSET $3`,
      [start.toISOString(), end.toISOString(), offset],
    );
    if (rows[0] === undefined) throw new Error('the demo clinic has no booked visit left today');
    return rows[0];
  }

  /** A working weekday `days` or more ahead, so every slot is still to come. */
  function workingDayAhead(days: number): string {
    let date = addDays(localDateAt(new Date(), timeZone), days);
    while ([0, 6].includes(weekdayOf(date))) date = addDays(date, 1);
    return date;
  }

  /** Two desks, each offline, book one provider's slot for different patients; the second to push is flagged. */
  async function doubleBooking(daysAhead: number, patientOffset: number): Promise<Appointment> {
    const [providerId] = await deskA.providerIds();
    const [first, second] = await deskA.patients(2, patientOffset);
    const start = new Date(Math.ceil((Date.now() + daysAhead * DAY) / (60 * 60_000)) * 60 * 60_000);
    await deskA.push('appointments', [deskA.booking(first!, providerId!, start)]);
    const clashing = deskB.booking(second!, providerId!, start);
    await deskB.push('appointments', [clashing]);
    return clashing;
  }

  /** Everything one morning changed, to be found on the server at the end. */
  interface Morning {
    checkedIn: { appointment: Appointment; ticket: string };
    finished: { ticket: string; entryId: string };
    walkIn: { patientId: string; ticket: string };
    registered: { patientId: string; email: string; phone: string };
    booking: { id: string; later: string; reason: string };
    clashingId: string;
  }

  /** Opens a desk through the proxy and signs in. */
  async function openDesk(): Promise<{ context: BrowserContext; page: Page; morning: MorningPage }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const morning = new MorningPage(page);
    await morning.signIn(`http://127.0.0.1:${proxy.port}/app/desktop/`);
    return { context, page, morning };
  }

  /**
   * The morning itself. `halfway` runs after the first check-in (the second morning cuts the network there);
   * `after` runs after every later step.
   */
  async function runMorning(
    morning: MorningPage,
    options: {
      prefix: string;
      offset: number;
      clashingId: string;
      halfway: () => Promise<void>;
      after: (step: string) => Promise<void>;
    },
  ): Promise<Morning> {
    const { page } = morning;
    const shot = (step: string) => saveScreenshot(page, `${options.prefix}-${step}`);
    const tag = `${options.prefix.replace(/[^a-z]/g, '')}${Date.now().toString(36).slice(-4)}`.replace(/\d/g, 'x');
    const suffix = tag.charAt(0).toUpperCase() + tag.slice(1);

    // Search from the top bar, open the patient and check them in: the ticket is shown large.
    const { appointment, patient } = await bookedToday(options.offset);
    await morning.findFromTopBar(patient);
    const ticket = await morning.checkInOnPatientPage();
    await shot('checked-in');
    await expectNoAxeViolations(page);
    await options.halfway();

    // The queue board: call the top of Waiting to a room, in the room, done.
    const finished = await morning.callNextToRoomAndFinish('Procedure Room', shot);
    const entryId = (await morning.entryId(finished))!;
    await expect.poll(() => morning.queue.columnOf(ticket)).not.toBeNull();
    await options.after('queue');

    // A walk-in: registered at the desk with the minimum, checked in, the ticket shown.
    const walker: PersonName & { dob: string; phone: string } = {
      familyName: `Walker${suffix}`,
      givenName: 'Aurora',
      dob: '28/03/1979',
      phone: `(646) 555-${String(1000 + options.offset * 37).slice(-4)}`,
    };
    const walkInId = await morning.registerPatient(walker);
    const walkInTicket = await morning.walkInHere();
    await shot('walk-in');
    await expectNoAxeViolations(page);
    await options.after('walk-in');

    // Register another patient, then edit their details.
    const person: PersonName & { dob: string; phone: string } = {
      familyName: `Registered${suffix}`,
      givenName: 'Beatrix',
      dob: '23/11/1991',
      phone: `(718) 555-${String(2000 + options.offset * 41).slice(-4)}`,
    };
    const registeredId = await morning.registerPatient(person);
    await shot('registered');
    const edited = { email: `beatrix.${tag}@example.org`, phone: `(718) 555-${String(3000 + options.offset * 43)}` };
    await morning.editHere(`${person.familyName}, ${person.givenName}`, { Email: edited.email, Phone: edited.phone });
    await expect.poll(() => page.locator('main').textContent()).toContain(edited.email);
    await shot('edited');
    await options.after('edit');

    // Book them, move the visit, cancel it with a reason.
    const reason = `Patient travelling (${options.prefix})`;
    const booking = await morning.bookRescheduleCancel(
      person,
      { patient: registeredId, provider: alvarezId, date: workingDayAhead(3 + options.offset) },
      reason,
      shot,
    );
    await options.after('book');

    // The inbox: a double booking two offline desks made, resolved by keeping both.
    await morning.keepBothBookings(options.clashingId, shot);
    await expectNoAxeViolations(page);
    await options.after('inbox');

    return {
      checkedIn: { appointment, ticket },
      finished: { ticket: finished, entryId },
      walkIn: { patientId: walkInId, ticket: walkInTicket },
      registered: { patientId: registeredId, ...edited },
      booking: { id: booking.id, later: booking.later, reason },
      clashingId: options.clashingId,
    };
  }

  /** The server holds every change of the morning. */
  async function expectOnServer(done: Morning): Promise<void> {
    await expect
      .poll(async () => (await serverDoc<Appointment>('appointments', done.checkedIn.appointment.id))?.status, {
        timeout: 30_000,
      })
      .not.toBe('booked');
    const entries = await server.db.query<{ doc: QueueEntry }>(
      "SELECT doc FROM queue_entries WHERE doc->>'appointmentId' = $1",
      [done.checkedIn.appointment.id],
    );
    expect(entries.map((e) => e.doc.ticketCode)).toEqual([done.checkedIn.ticket]);

    expect((await serverDoc<QueueEntry>('queue_entries', done.finished.entryId))?.status).toBe('done');
    expect((await serverDoc<QueueEntry>('queue_entries', done.finished.entryId))?.ticketCode).toBe(
      done.finished.ticket,
    );

    const walkIns = await server.db.query<{ doc: QueueEntry }>(
      "SELECT doc FROM queue_entries WHERE doc->>'patientId' = $1",
      [done.walkIn.patientId],
    );
    expect(walkIns.map((e) => e.doc)).toEqual([
      expect.objectContaining({ ticketCode: done.walkIn.ticket, appointmentId: null, status: 'waiting' }),
    ]);
    expect((await serverDoc<Patient>('patients', done.walkIn.patientId))?.mrn).toMatch(/^MRN-/);

    expect(await serverDoc<Patient>('patients', done.registered.patientId)).toMatchObject({
      email: done.registered.email,
      phone: done.registered.phone,
      mrn: expect.stringMatching(/^MRN-/),
    });

    const cancelled = await serverDoc<Appointment>('appointments', done.booking.id);
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      start: done.booking.later,
      patientId: done.registered.patientId,
    });
    expect(cancelled?.notes).toContain(done.booking.reason);

    const resolved = await serverDoc<Appointment>('appointments', done.clashingId);
    expect(resolved?.needsAttention).toBe(false);
    expect(resolved?.status).toBe('booked');
  }

  it('signs in, finds and checks in a patient, works the queue, walks one in, registers, edits, books, reschedules, cancels and clears the inbox; the server holds it all', async () => {
    const clashingId = (await doubleBooking(30, 20)).id;
    const { context, page, morning } = await openDesk();
    onTestFailed(() => saveScreenshot(page, 'morning-failed').then(() => undefined));
    await saveScreenshot(page, 'morning-today');

    const done = await runMorning(morning, {
      prefix: 'morning',
      offset: 0,
      clashingId,
      halfway: async () => undefined,
      after: async () => undefined,
    });
    await expect.poll(() => morning.desk.pendingText(), { timeout: 30_000 }).toBe('All changes saved');
    await expectOnServer(done);
    await context.close();
  }, 180_000);

  it('the same morning with the server unreachable from the first check-in: no dialog, the pending count grows, all synced once back, and a second desk shows the same board', async () => {
    const clashingId = (await doubleBooking(32, 24)).id;
    const { context, page, morning } = await openDesk();
    onTestFailed(() => saveScreenshot(page, 'morning-offline-failed').then(() => undefined));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    // The double booking reaches this desk while it is online; it is resolved once the network is gone.
    await morning.desk.openView('Inbox');
    await expect.poll(() => morning.inbox.lineFor(clashingId).count(), { timeout: 30_000 }).toBe(1);
    await morning.desk.openView('Today');

    const pendingSeen: number[] = [];
    const calm = async () => {
      expect(dialogs).toEqual([]);
      expect(await page.getByRole('alertdialog').count()).toBe(0);
      await expect.poll(() => morning.desk.syncLabel()).toMatch(/^Offline since \d\d:\d\d$/);
    };
    const done = await runMorning(morning, {
      prefix: 'morning-offline',
      offset: 1,
      clashingId,
      halfway: async () => {
        proxy.cut();
        await context.setOffline(true);
        await expect.poll(() => morning.desk.syncLabel(), { timeout: 15_000 }).toMatch(/^Offline since \d\d:\d\d$/);
      },
      after: async (step) => {
        await calm();
        const pending = await morning.pending();
        expect(pending, `pending after ${step}`).toBeGreaterThan(pendingSeen.at(-1) ?? 0);
        pendingSeen.push(pending);
        if (step === 'queue') await saveScreenshot(page, 'morning-offline-sync-bar');
      },
    });
    expect(pendingSeen.length).toBe(5);
    expect(await morning.desk.offlineBanner().count()).toBe(1);
    await expectNoAxeViolations(page);

    // The network comes back: everything reaches the server by itself.
    await context.setOffline(false);
    proxy.heal();
    await expect.poll(() => morning.desk.pendingText(), { timeout: 60_000 }).toBe('All changes saved');
    await expect.poll(() => morning.desk.syncLabel(), { timeout: 15_000 }).toBe('Online');
    expect(dialogs).toEqual([]);
    await expectOnServer(done);

    // A second desk, signed in afresh, shows the same queue board: same tickets, same columns, same order.
    await morning.desk.openView('Queue');
    await morning.queue.heading().waitFor();
    const second = await openDesk();
    try {
      await second.morning.desk.openView('Queue');
      await second.morning.queue.heading().waitFor({ timeout: 15_000 });
      await expect
        .poll(async () => JSON.stringify(await second.morning.board()), { timeout: 30_000 })
        .toBe(JSON.stringify(await morning.board()));
      const board = await second.morning.board();
      expect(board.waiting).toContain(done.walkIn.ticket);
      expect(board.done).toContain(done.finished.ticket);
      await saveScreenshot(page, 'morning-offline-board-first-desk');
      await saveScreenshot(second.page, 'morning-offline-board-second-desk');
    } finally {
      await second.context.close();
    }
    await context.close();
  }, 240_000);
});
