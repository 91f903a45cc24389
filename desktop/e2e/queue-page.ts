import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

const soon = { timeout: 15_000 };

/** The queue board as a receptionist works it: by tickets, room names and the words on the buttons. */
export class QueuePage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { level: 1, name: 'Queue' });
  }

  column(name: 'Waiting' | 'Called' | 'In room' | 'Done today'): Locator {
    return this.page.getByRole('region', { name: new RegExp(`^${name} \\d+$`) });
  }

  card(ticket: string): Locator {
    return this.page.locator(`[data-testid="queue-card"][data-ticket="${ticket}"]`);
  }

  /**
   * The column a ticket is in now, or null when it is on none. Read in one step: a card that
   * leaves the board between a count and a read would have the read wait for it for 30 s.
   */
  async columnOf(ticket: string): Promise<string | null> {
    const [column] = await this.card(ticket).evaluateAll((cards) => cards.map((c) => c.getAttribute('data-column')));
    return column ?? null;
  }

  stateOf(ticket: string): Promise<string | null> {
    return this.card(ticket).getByTestId('queue-card-state').textContent();
  }

  waitingTickets(): Promise<string[]> {
    return this.page
      .locator('[data-testid="queue-card"][data-column="waiting"]')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-ticket') ?? ''));
  }

  roomTile(name: string): Locator {
    return this.page.locator(`[data-testid="room-tile"][data-room="${name}"]`);
  }

  occupantOf(room: string): Promise<string | null> {
    return this.roomTile(room).getByTestId('room-occupant').textContent();
  }

  async chooseRoom(name: string): Promise<void> {
    await this.page.getByRole('button', { name: /Call to room/ }).click();
    await this.page.getByRole('option', { name: new RegExp(`^${name}`) }).click();
  }

  callNextButton(): Locator {
    return this.page.getByRole('button', { name: /^Call next: / });
  }

  /**
   * Presses Call next, as a receptionist would. When the chosen room lacks what the visit needs
   * (an infant scale for a well-child visit) the board asks which room instead, offering only
   * those that have it: then the one it offers is taken. Answers the ticket called and its room.
   */
  async callNext(): Promise<{ ticket: string; room: string }> {
    await expect.poll(() => this.callNextButton().textContent(), soon).toMatch(/^Call next: \S+$/);
    const ticket = (await this.callNextButton().textContent())!.replace('Call next: ', '');
    await this.callNextButton().click();
    const asked = this.page.getByRole('dialog', { name: `Call ${ticket}` });
    await expect
      .poll(async () => (await this.columnOf(ticket)) === 'called' || (await asked.count()) > 0, soon)
      .toBe(true);
    if ((await asked.count()) > 0) await asked.getByRole('button', { name: 'Call', exact: true }).click();
    await expect.poll(() => this.columnOf(ticket), soon).toBe('called');
    await expect.poll(() => this.roomOf(ticket), soon).not.toBeNull();
    return { ticket, room: (await this.roomOf(ticket))! };
  }

  /** The room whose tile shows `ticket` as its occupant, or null. */
  roomOf(ticket: string): Promise<string | null> {
    return this.page
      .locator('[data-testid="room-tile"]')
      .evaluateAll(
        (tiles, wanted) =>
          tiles
            .find((tile) => tile.querySelector('[data-testid="room-occupant"]')?.textContent?.includes(wanted))
            ?.getAttribute('data-room') ?? null,
        ticket,
      );
  }

  async act(ticket: string, button: string): Promise<void> {
    await this.card(ticket)
      .getByRole('button', { name: `${button} ${ticket}` })
      .click();
  }

  async fromMenu(ticket: string, item: string | RegExp): Promise<void> {
    await this.card(ticket)
      .getByRole('button', { name: `More actions for ${ticket}` })
      .click();
    await this.page.getByRole('menuitem', { name: item }).click();
  }

  lastAction(): Locator {
    return this.page.locator('.queue-board__last');
  }

  announced(): Promise<string | null> {
    return this.page.getByTestId('announcer').textContent();
  }

  dialog(): Locator {
    return this.page.locator('[role="dialog"], [role="alertdialog"]');
  }
}
