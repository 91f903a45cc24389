import type { Page } from 'playwright-core';

/** The reception app as staff use it: by labels, roles and the words on screen. */
export class DeskPage {
  constructor(readonly page: Page) {}

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  todayHeading() {
    return this.page.getByRole('heading', { level: 2, name: /^Today/ });
  }

  appointments() {
    return this.page.getByTestId('appointment');
  }

  syncLabel(): Promise<string | null> {
    return this.page.getByTestId('sync-label').textContent();
  }

  pendingText(): Promise<string | null> {
    return this.page.getByTestId('sync-pending').textContent();
  }

  /** Checks in the first appointment that can be; returns its id. */
  async checkInFirstBooked(): Promise<string> {
    const row = this.appointments()
      .filter({ has: this.page.getByRole('button', { name: 'Check in' }) })
      .first();
    const id = await row.getAttribute('data-appointment-id');
    if (id === null) throw new Error('no appointment to check in');
    await row.getByRole('button', { name: /^Check in/ }).click();
    return id;
  }

  appointmentStatus(id: string): Promise<string | null> {
    return this.page.locator(`[data-appointment-id="${id}"]`).getByTestId('appointment-status').textContent();
  }

  async openView(name: 'Today' | 'Queue'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name }).click();
  }
}
