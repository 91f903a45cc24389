import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueEntry } from '@medisync/shared/domain';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { OtherDesk } from './other-desk.js';
import { QueuePage } from './queue-page.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('the queue board in Chromium against a real sync server', () => {
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let other: OtherDesk;
  let context: BrowserContext;
  let page: Page;
  let queue: QueuePage;

  beforeAll(async () => {
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({ demo: true, renderers: [{ mount: '/app/desktop', dir: renderer.dir }] });
    browser = await launchChromium();
    other = await OtherDesk.signIn(server);
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    queue = new QueuePage(page);
    const desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    await desk.signIn('desk@demo.clinic', 'medisync-demo');
    await desk.firstSyncDone();
    await desk.openView('Queue');
    await queue.heading().waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
  });

  const serverEntry = (id: string) => other.serverDoc<'queueEntries'>('queue_entries', id);
  const pushed = async (entries: QueueEntry[]) => {
    await other.push('queueEntries', entries);
    for (const entry of entries) {
      await expect.poll(() => queue.columnOf(entry.ticketCode), { timeout: 15_000 }).toBe('waiting');
    }
    return entries;
  };

  it('calls the next patient to a chosen room, shows them in the rooms strip, in the room, done, and undoes the done', async () => {
    const [patient] = await other.patients(1, 10);
    // Urgent, so it heads the queue whatever the demo clinic has waiting at this hour.
    const [entry] = await pushed([other.walkIn(patient!, 'A-951', { priority: 'urgent', minutesAgo: 3 })]);
    expect((await queue.waitingTickets())[0]).toBe('A-951');
    await saveScreenshot(page, 'queue-board');
    await expectNoAxeViolations(page);

    await queue.chooseRoom('Procedure Room');
    await expect.poll(() => queue.callNextButton().textContent()).toBe('Call next: A-951');
    await queue.callNextButton().click();
    await expect.poll(() => queue.columnOf('A-951')).toBe('called');
    expect(await queue.stateOf('A-951')).toMatch(/^Called to Procedure Room 0 min ago$/);
    await expect
      .poll(() => queue.occupantOf('Procedure Room'))
      .toContain(`A-951 ${patient!.givenName[0]}. ${patient!.familyName}`);
    await expect
      .poll(() => queue.announced())
      .toBe(`Called A-951 (${patient!.givenName} ${patient!.familyName}) to Procedure Room`);

    await queue.act('A-951', 'In room');
    await expect.poll(() => queue.columnOf('A-951')).toBe('in-room');
    expect(await queue.stateOf('A-951')).toMatch(/^In Procedure Room for 0 min$/);
    await expect.poll(() => queue.roomTile('Procedure Room').textContent()).toContain('In use');
    await saveScreenshot(page, 'queue-board-in-room');

    await queue.act('A-951', 'Done');
    await expect.poll(() => queue.columnOf('A-951')).toBe('done');
    await expect.poll(() => queue.occupantOf('Procedure Room')).toBe('Nobody');
    await expect.poll(async () => (await serverEntry(entry!.id))?.status, { timeout: 15_000 }).toBe('done');

    // Done on the wrong row: Undo puts the patient back in the room, on the server too.
    await queue.lastAction().getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => queue.columnOf('A-951')).toBe('in-room');
    await expect.poll(() => queue.occupantOf('Procedure Room')).toContain('A-951');
    await expect.poll(async () => (await serverEntry(entry!.id))?.status, { timeout: 15_000 }).toBe('in-room');
  });

  it('marks a no-show only after asking, from the keyboard, and takes it back', async () => {
    const [patient] = await other.patients(1, 11);
    const [entry] = await pushed([other.walkIn(patient!, 'A-952', { minutesAgo: 40 })]);
    await expect.poll(() => queue.stateOf('A-952')).toMatch(/Long wait/);

    await queue.card('A-952').focus();
    await page.keyboard.press('n');
    await expect.poll(() => queue.dialog().count()).toBe(1);
    await expect.poll(() => queue.dialog().getByRole('heading').textContent()).toBe('Mark A-952 as a no-show?');
    await saveScreenshot(page, 'queue-no-show-confirm');
    await expectNoAxeViolations(page);
    // Esc keeps the patient in the queue.
    await page.keyboard.press('Escape');
    await expect.poll(() => queue.dialog().count()).toBe(0);
    expect(await queue.columnOf('A-952')).toBe('waiting');

    await queue.card('A-952').focus();
    await page.keyboard.press('n');
    await queue.dialog().getByRole('button', { name: 'Mark no-show' }).click();
    await expect.poll(() => queue.columnOf('A-952')).toBeNull();
    await expect.poll(() => queue.announced()).toMatch(/^A-952 .* marked as a no-show$/);
    await expect.poll(async () => (await serverEntry(entry!.id))?.status, { timeout: 15_000 }).toBe('no-show');

    await queue.lastAction().getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => queue.columnOf('A-952')).toBe('waiting');
    await expect.poll(async () => (await serverEntry(entry!.id))?.status, { timeout: 15_000 }).toBe('waiting');
  });

  it('calls a ticket out of turn only with a reason, and recalls it', async () => {
    const [first, second] = await other.patients(2, 12);
    await pushed([
      other.walkIn(first!, 'A-953', { priority: 'urgent', minutesAgo: 5 }),
      other.walkIn(second!, 'A-954', { minutesAgo: 1 }),
    ]);
    const waiting = await queue.waitingTickets();
    expect(waiting.indexOf('A-953')).toBeLessThan(waiting.indexOf('A-954'));

    await queue.card('A-954').focus();
    await page.keyboard.press('c');
    await expect.poll(() => queue.dialog().getByRole('heading').textContent()).toBe('Call A-954 out of turn');
    await expect.poll(() => queue.dialog().textContent()).toContain('A-953');
    await queue.dialog().getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => queue.dialog().getByRole('alert').textContent()).toMatch(/^Say why A-954 goes before/);
    await queue.dialog().getByLabel('Reason for calling out of turn').fill('Needs to leave for dialysis');
    await saveScreenshot(page, 'queue-call-out-of-turn');
    await expectNoAxeViolations(page);
    await queue.dialog().getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => queue.columnOf('A-954')).toBe('called');
    await expect.poll(() => queue.lastAction().textContent()).toContain('out of turn: Needs to leave for dialysis');
    expect(await queue.columnOf('A-953')).toBe('waiting');

    const calledAt = (await page.locator('[data-ticket="A-954"]').getAttribute('data-entry-id'))!;
    const called = await serverEntryEventually(calledAt, 'called');
    expect(called?.callReason).toBe('Needs to leave for dialysis');
    await expect.poll(() => queue.card('A-954').textContent()).toContain('Out of turn: Needs to leave for dialysis');
    const before = called!.calledAt;
    await queue.fromMenu('A-954', /^Recall/);
    await expect.poll(() => queue.announced()).toMatch(/^Called A-954 .* again to /);
    await expect.poll(async () => (await serverEntry(calledAt))?.calledAt ?? '', { timeout: 15_000 }).not.toBe(before);
    await saveScreenshot(page, 'queue-board-called');
  });

  it('keeps working with the network down: rooms taken out of service, a lab call, all synced once back', async () => {
    const [patient] = await other.patients(1, 14);
    // Urgent and with the lab free, whatever the demo clinic has going on in the lab at this hour.
    await other.clearRoom('Lab');
    const [entry] = [other.walkIn(patient!, 'L-951', { queue: 'lab', minutesAgo: 2, priority: 'urgent' })];
    await other.push('queueEntries', [entry!]);
    await page.getByRole('tab', { name: 'Lab (L)' }).click();
    await expect.poll(() => page.url()).toContain('queue=lab');
    await expect.poll(() => queue.columnOf('L-951'), { timeout: 15_000 }).toBe('waiting');

    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('sync-label').textContent(), { timeout: 15_000 }).toMatch(/^Offline/);

    // Exam 4 is out of service: it can no longer be chosen for a call.
    await queue.roomTile('Exam 4').getByRole('button', { name: 'Status of Exam 4' }).click();
    await page.getByRole('menuitem', { name: 'Out of service' }).click();
    await expect.poll(() => queue.roomTile('Exam 4').textContent()).toContain('Out of service');
    await page.getByRole('button', { name: /Call to room/ }).click();
    expect(await page.getByRole('option').allTextContents()).not.toContainEqual(expect.stringMatching(/^Exam 4/));
    // Free rooms come first, whichever queue is using the others.
    const free = (await page.getByRole('option').allTextContents()).map((option) => /Free$/.test(option));
    expect(free[0]).toBe(true);
    expect(free).toEqual([...free].sort((a, b) => Number(b) - Number(a)));
    await page.keyboard.press('Escape');

    await queue.roomTile('Lab').getByRole('button', { name: 'Call next to Lab' }).click();
    await expect.poll(() => queue.columnOf('L-951')).toBe('called');
    await expect.poll(() => page.getByTestId('sync-pending').textContent()).toMatch(/^[2-9] pending changes$/);
    await saveScreenshot(page, 'queue-board-lab-offline');
    await expectNoAxeViolations(page);

    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId('sync-pending').textContent(), { timeout: 30_000 })
      .toBe('All changes saved');
    expect(await serverEntry(entry!.id)).toMatchObject({ status: 'called', queue: 'lab' });
    const [room] = await server.db.query<{ doc: { status: string } }>(
      `SELECT doc FROM rooms WHERE doc->>'name' = 'Exam 4'`,
    );
    expect(room?.doc.status).toBe('out-of-service');
  });

  it('calls a visit that needs equipment only to a room that has it: Call next to another room asks where', async () => {
    await page.getByRole('tab', { name: 'Reception (A)' }).click();
    await other.clearRoom('Exam 2');
    await expect.poll(() => queue.occupantOf('Exam 2')).toBe('Nobody');
    const [patient] = await other.patients(1, 30);
    const [providerId] = await other.providerIds();
    const ecg = { ...other.booking(patient!, providerId!, new Date(Date.now() - 10 * 60_000)), visitType: 'ecg' };
    await other.push('appointments', [ecg]);
    const arrival = other.walkIn(patient!, 'A-961', { priority: 'urgent', minutesAgo: 1 });
    const [entry] = await pushed([{ ...arrival, appointmentId: ecg.id }]);

    // The procedure room has no ECG machine: Call next asks where instead of calling there.
    await queue.chooseRoom('Procedure Room');
    await expect.poll(() => queue.callNextButton().textContent()).toBe('Call next: A-961');
    await queue.callNextButton().click();
    await expect.poll(() => queue.dialog().getByRole('heading').textContent()).toBe('Call A-961');
    expect(await queue.columnOf('A-961')).toBe('waiting');
    const offered = (await queue.dialog().textContent()) ?? '';
    expect(offered).toContain('Exam 2');
    expect(offered).not.toContain('Procedure Room');
    await queue.dialog().getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => queue.columnOf('A-961')).toBe('called');
    await expect.poll(() => queue.occupantOf('Exam 2')).toContain('A-961');
    await queue.act('A-961', 'In room');
    await queue.act('A-961', 'Done');
    await serverEntryEventually(entry!.id, 'done');
  });

  async function serverEntryEventually(id: string, status: QueueEntry['status']) {
    await expect.poll(async () => (await serverEntry(id))?.status, { timeout: 15_000 }).toBe(status);
    return serverEntry(id);
  }
});
