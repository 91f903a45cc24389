import type { Locator, Page } from 'playwright-core';

export type DeskScreenName = 'Today' | 'Queue' | 'Patients' | 'Book' | 'Inbox' | 'Rooms' | 'Reports' | 'Fees';

/** The reception app as staff use it: by labels, roles and the words on screen. */
export class DeskPage {
  constructor(readonly page: Page) {}

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The screen's one h1. */
  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  todayHeading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: /^Today/ });
  }

  async openView(name: DeskScreenName): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: new RegExp(`^${name}`) })
      .click();
  }

  // The top bar

  syncLabel(): Promise<string | null> {
    return this.page.getByTestId('sync-label').textContent();
  }

  /**
   * Waits until the first sync has brought the whole history: till then a new
   * desk's own writes queue behind the history's pages in its local database.
   */
  async firstSyncDone(timeout = 90_000): Promise<void> {
    // A loop rather than expect.poll: set-up hooks call it too.
    const deadline = Date.now() + timeout;
    while ((await this.syncLabel()) !== 'Online' || (await this.page.getByRole('progressbar').count()) > 0) {
      if (Date.now() > deadline) throw new Error(`the first sync did not finish within ${timeout / 1000} s`);
      await this.page.waitForTimeout(250);
    }
  }

  pendingText(): Promise<string | null> {
    return this.page.getByTestId('sync-pending').textContent();
  }

  searchBox(): Locator {
    return this.page.getByRole('search').getByRole('searchbox').or(this.page.getByRole('search').getByRole('combobox'));
  }

  /** How much wider the search box's placeholder is than the room it has: above 0, the end is cut off. */
  searchPlaceholderOverflow(): Promise<number> {
    return this.searchBox().evaluate((input) => {
      const style = input.ownerDocument.defaultView!.getComputedStyle(input);
      const context = input.ownerDocument.createElement('canvas').getContext('2d')!;
      context.font = style.font;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return context.measureText(input.getAttribute('placeholder') ?? '').width - room;
    });
  }

  inboxLink(): Locator {
    return this.page.getByRole('link', { name: /^Conflicts inbox/ });
  }

  shownDate(): Promise<string | null> {
    return this.page.getByTestId('shown-date').textContent();
  }

  revokedBanner(): Locator {
    return this.page.getByTestId('revoked-banner');
  }

  offlineBanner(): Locator {
    return this.page.getByTestId('offline-banner');
  }

  helpDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  }

  // Today

  appointments(): Locator {
    return this.page.getByTestId('appointment');
  }

  appointment(id: string): Locator {
    return this.page.locator(`[data-testid="appointment"][data-appointment-id="${id}"]`);
  }

  /** The button that opens an appointment's visit panel (and takes the keyboard shortcuts). */
  appointmentButton(id: string): Locator {
    return this.appointment(id).locator('[data-visit-trigger]');
  }

  providerDays(): Locator {
    return this.page.getByTestId('provider-day');
  }

  metric(name: 'booked' | 'arrived' | 'waiting' | 'in-room' | 'done' | 'no-shows'): Locator {
    return this.page.getByTestId(`metric-${name}`);
  }

  /** Ids of the shown appointments in a status (booked, checked-in, noshow, …). */
  async appointmentIds(status?: string): Promise<string[]> {
    const rows = status
      ? this.page.locator(`[data-testid="appointment"][data-status="${status}"]`)
      : this.appointments();
    return (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-appointment-id')))).filter(
      (id): id is string => id !== null,
    );
  }

  appointmentStatus(id: string): Promise<string | null> {
    return this.appointment(id).getByTestId('appointment-status').textContent();
  }

  async chooseFilter(label: 'Provider' | 'Status' | 'Visit type', option: string): Promise<void> {
    await this.page.getByRole('button', { name: new RegExp(`${label}$`) }).click();
    await this.page.getByRole('option', { name: option, exact: true }).click();
  }

  /** The appointment whose card has the keyboard focus, if any. */
  focusedVisit(): Promise<string | null> {
    return this.page.evaluate<string | null>(`document.activeElement?.getAttribute('data-visit-trigger') ?? null`);
  }

  /** The provider column of the focused card (its heading id). */
  focusedProvider(): Promise<string | null> {
    return this.page.evaluate<string | null>(
      `document.activeElement?.closest('[data-testid="provider-day"]')?.getAttribute('aria-labelledby') ?? null`,
    );
  }

  focusedText(): Promise<string | null> {
    return this.page.evaluate<string | null>(`document.activeElement?.textContent ?? null`);
  }

  focusIsInSearch(): Promise<boolean> {
    return this.page.evaluate<boolean>(`document.activeElement?.closest('[role="search"]') != null`);
  }

  // The visit panel

  visitPanel(): Locator {
    return this.page.getByTestId('visit-panel');
  }

  ticketCode(): Promise<string | null> {
    return this.visitPanel().getByTestId('ticket-code').textContent();
  }

  /** Opens the appointment's visit panel, ticks the whole checklist and checks in; returns the ticket read out. */
  async checkInWithChecklist(id: string): Promise<string> {
    await this.appointmentButton(id).click();
    const panel = this.visitPanel();
    for (const step of ['Identity confirmed', 'Contact up to date', 'Insurance on file']) {
      await panel.locator('label', { hasText: step }).click();
    }
    await panel.getByRole('button', { name: 'Check in', exact: true }).click();
    await panel.getByTestId('ticket-code').waitFor();
    return (await this.ticketCode()) ?? '';
  }

  /** Checks in the first booked appointment, skipping the checklist; returns its id. */
  async checkInFirstBooked(): Promise<string> {
    const [id] = await this.appointmentIds('booked');
    if (id === undefined) throw new Error('no appointment to check in');
    await this.appointmentButton(id).click();
    await this.visitPanel().getByRole('button', { name: 'Check in', exact: true }).click();
    return id;
  }
}
