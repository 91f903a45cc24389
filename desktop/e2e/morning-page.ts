import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { BookingPage } from './booking-page.js';
import { DeskPage } from './desk-page.js';
import { InboxPage } from './inbox-page.js';
import { PatientsPage } from './patients-page.js';
import { QueuePage } from './queue-page.js';

/** A loaded two-core machine: local writes and live queries can take a few seconds to show. */
const soon = { timeout: 15_000 };

export interface PersonName {
  familyName: string;
  givenName: string;
}

/** What a queue board shows: the tickets of each column, top to bottom. */
export type Board = Record<string, string[]>;

/**
 * A receptionist's morning, step by step, composed of the screens' own page
 * models. Every step goes through the screens (the URL hash at most, never a
 * page load), so each one works the same with the network down.
 */
export class MorningPage {
  readonly desk: DeskPage;
  readonly patients: PatientsPage;
  readonly book: BookingPage;
  readonly queue: QueuePage;
  readonly inbox: InboxPage;

  constructor(readonly page: Page) {
    this.desk = new DeskPage(page);
    this.patients = new PatientsPage(page);
    this.book = new BookingPage(page);
    this.queue = new QueuePage(page);
    this.inbox = new InboxPage(page);
  }

  /** Opens the desk at `url`, signs in and waits for today's list and the first sync. */
  async signIn(url: string, email = 'desk@demo.clinic', password = 'medisync-demo'): Promise<void> {
    await this.page.goto(url);
    await this.desk.signIn(email, password);
    await expect.poll(() => this.desk.todayHeading().count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => this.desk.appointments().count(), { timeout: 30_000 }).toBeGreaterThan(10);
    await expect.poll(() => this.desk.syncLabel(), { timeout: 30_000 }).toBe('Online');
  }

  /** Changes the hash route inside the running app (no page load, so it works offline too). */
  async go(hash: string): Promise<void> {
    await this.page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  }

  /** `/` from anywhere focuses the top bar's search; the patient is picked from the results. */
  async findFromTopBar(person: PersonName): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator('body').press('/');
    await expect.poll(() => this.desk.focusIsInSearch()).toBe(true);
    await this.page.keyboard.type(`${person.familyName} ${person.givenName}`, { delay: 15 });
    const name = `${person.familyName}, ${person.givenName}`;
    const result = this.patients.results().filter({ hasText: name }).first();
    await expect.poll(() => result.count(), soon).toBe(1);
    await result.click();
    await expect.poll(() => this.patients.headingText(), soon).toBe(name);
  }

  /** On a patient's page: checks in today's visit and returns the ticket shown. */
  async checkInOnPatientPage(): Promise<string> {
    await this.page
      .getByRole('button', { name: /^Check in for Today \d\d:\d\d$/ })
      .first()
      .click();
    await expect.poll(() => this.patients.ticketCode(), soon).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
    return (await this.patients.ticketCode())!;
  }

  /** Every card of the reception queue's board, column by column, top to bottom. */
  async board(): Promise<Board> {
    const cards = await this.page
      .locator('[data-testid="queue-card"]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute('data-column'), el.getAttribute('data-ticket')]));
    const board: Board = {};
    for (const [column, ticket] of cards) (board[column ?? '?'] ??= []).push(ticket ?? '?');
    return board;
  }

  /** The entry id of a ticket on the board. */
  entryId(ticket: string): Promise<string | null> {
    return this.queue.card(ticket).getAttribute('data-entry-id');
  }

  /**
   * On the queue board: calls the top of Waiting to `room` (or, when it does not suit the visit,
   * to the room the board offers instead), sends them in and marks them done. Returns the ticket.
   */
  async callNextToRoomAndFinish(preferred: string, shot: (step: string) => Promise<unknown>): Promise<string> {
    await this.desk.openView('Queue');
    await this.queue.heading().waitFor(soon);
    await this.queue.chooseRoom(preferred);
    const { ticket, room } = await this.queue.callNext();
    await shot('called');
    await this.queue.act(ticket, 'In room');
    await expect.poll(() => this.queue.columnOf(ticket), soon).toBe('in-room');
    await this.queue.act(ticket, 'Done');
    await expect.poll(() => this.queue.columnOf(ticket), soon).toBe('done');
    await expect.poll(() => this.queue.occupantOf(room), soon).toBe('Nobody');
    await shot('done');
    return ticket;
  }

  /** Registers a patient with the minimum to check in; returns the new record's id. */
  async registerPatient(person: PersonName & { dob: string; phone: string }): Promise<string> {
    await this.desk.openView('Patients');
    await this.patients.link('Register a new patient').click();
    await expect.poll(() => this.patients.headingText(), soon).toBe('Register a patient');
    await this.patients.fill({
      'Given name': person.givenName,
      'Family name': person.familyName,
      'Date of birth': person.dob,
      Sex: 'Female',
      Phone: person.phone,
    });
    await this.patients.button('Register patient').click();
    const name = `${person.familyName}, ${person.givenName}`;
    // A demo patient may share the phone: the probable duplicates are shown, and this is someone else.
    await expect
      .poll(
        async () =>
          (await this.patients.button('Register anyway').count()) > 0 || (await this.patients.headingText()) === name,
        soon,
      )
      .toBe(true);
    if ((await this.patients.button('Register anyway').count()) > 0)
      await this.patients.button('Register anyway').click();
    await expect.poll(() => this.patients.headingText(), soon).toBe(name);
    const id = /#\/patients\/([^/?]+)/.exec(this.page.url())?.[1];
    if (id === undefined) throw new Error(`not on a patient's page: ${this.page.url()}`);
    return id;
  }

  /** On a patient's page: "Walk in now"; returns the ticket shown. */
  async walkInHere(): Promise<string> {
    await this.patients.button('Walk in now').click();
    await expect.poll(() => this.patients.ticketCode(), soon).toMatch(/^A-([0-9A-Z]{3}-)?\d{3}$/);
    return (await this.patients.ticketCode())!;
  }

  /** On a patient's page: edits the given fields and saves. */
  async editHere(name: string, values: Record<string, string>): Promise<void> {
    await this.patients.link('Edit details').click();
    await expect.poll(() => this.patients.headingText(), soon).toBe(`Edit ${name}`);
    await this.patients.fill(values);
    await this.patients.button('Save changes').click();
    await expect.poll(() => this.patients.headingText(), soon).toBe(name);
  }

  /**
   * Books the first free slot of `choices.date` for the patient, moves it to the third free slot and cancels it
   * with `reason`. Returns the appointment and its two starts.
   */
  async bookRescheduleCancel(
    person: PersonName,
    choices: { patient: string; provider: string; date: string },
    reason: string,
    shot: (step: string) => Promise<unknown>,
  ): Promise<{ id: string; first: string; later: string }> {
    await this.go(`#/book?${new URLSearchParams(choices).toString()}`);
    await expect.poll(() => this.book.heading().textContent(), soon).toBe('Book');
    await expect.poll(() => this.book.freeSlots().count(), soon).toBeGreaterThan(3);
    const first = (await this.book.freeSlots().first().getAttribute('data-start'))!;
    await this.book.bookSlot(first);
    await expect
      .poll(() => this.book.outcome().textContent(), soon)
      .toMatch(new RegExp(`^Booked ${person.familyName}, `));
    await expect.poll(() => this.book.slotAt(first).getAttribute('data-state'), soon).toBe('taken');
    await expect.poll(() => this.book.patientVisits().count(), soon).toBe(1);
    const id = (await this.book.patientVisits().first().getAttribute('data-appointment-id'))!;
    await shot('booked');

    await this.book.reschedule(id);
    await expect.poll(() => this.book.heading().textContent(), soon).toBe('Reschedule');
    const later = (await this.book.freeSlots().nth(2).getAttribute('data-start'))!;
    await this.book.bookSlot(later);
    await expect
      .poll(() => this.book.outcome().textContent(), soon)
      .toMatch(new RegExp(`^Moved ${person.familyName}, `));
    await expect.poll(() => this.book.slotAt(later).getAttribute('data-state'), soon).toBe('taken');
    await expect.poll(() => this.book.slotAt(first).getAttribute('data-state'), soon).toBe('free');

    await this.book.openCancel(id);
    await expect.poll(() => this.book.cancelDialog().count(), soon).toBe(1);
    await this.book
      .cancelDialog()
      .getByLabel(/Reason for cancelling/)
      .fill(reason);
    await shot('cancel');
    await this.book.cancelDialog().getByRole('button', { name: 'Cancel appointment' }).click();
    await expect.poll(() => this.book.cancelDialog().count(), soon).toBe(0);
    await expect.poll(() => this.book.slotAt(later).getAttribute('data-state'), soon).toBe('free');
    return { id, first, later };
  }

  /** On the inbox: the double booking's line, resolved with "Keep both". */
  async keepBothBookings(clashingId: string, shot: (step: string) => Promise<unknown>): Promise<void> {
    await this.desk.openView('Inbox');
    await this.inbox.heading().waitFor(soon);
    const line = this.inbox.lineFor(clashingId);
    await expect.poll(() => line.count(), { timeout: 30_000 }).toBe(1);
    await shot('inbox');
    await line.getByRole('button', { name: 'Keep both' }).click();
    await expect.poll(() => line.count(), soon).toBe(0);
    await expect.poll(() => this.inbox.announced(), soon).toBe('Both bookings kept');
  }

  /** The sync bar's pending count: 0 for "All changes saved". */
  async pending(): Promise<number> {
    const text = (await this.desk.pendingText()) ?? '';
    if (text === 'All changes saved') return 0;
    const match = /^(\d+) pending changes?$/.exec(text);
    if (match === null) throw new Error(`unexpected sync bar text: ${text}`);
    return Number(match[1]);
  }
}
