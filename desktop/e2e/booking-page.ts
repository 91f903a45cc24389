import type { Page } from 'playwright-core';

/** The booking screen as a receptionist uses it: by labels, roles and the words on screen. */
export class BookingPage {
  constructor(readonly page: Page) {}

  /** Opens /book with its choices in the URL, as the patient page and the visit panel link to it. */
  async open(baseUrl: string, choices: Record<string, string>): Promise<void> {
    const query = new URLSearchParams(choices).toString();
    await this.page.goto(`${baseUrl}#/book${query ? `?${query}` : ''}`);
  }

  heading() {
    return this.page.getByRole('heading', { level: 1 });
  }

  slots() {
    return this.page.getByTestId('slot');
  }

  freeSlots() {
    return this.page.locator('[data-testid="slot"][data-state="free"]');
  }

  slotAt(start: string) {
    return this.page.locator(`[data-testid="slot"][data-start="${start}"]`);
  }

  /** Selects a slot and presses Enter: the two keystrokes that book it. */
  async bookSlot(start: string): Promise<void> {
    await this.slotAt(start).click();
    await this.page.keyboard.press('Enter');
  }

  outcome() {
    return this.page.getByTestId('booking-outcome');
  }

  async choosePatient(familyName: string, optionName: RegExp): Promise<void> {
    const field = this.page.getByRole('combobox', { name: 'Patient', exact: true });
    await field.fill(familyName);
    await this.page.getByRole('option', { name: optionName }).first().click();
  }

  patientVisits() {
    return this.page.getByTestId('patient-visit');
  }

  visit(appointmentId: string) {
    return this.page.locator(`[data-testid="patient-visit"][data-appointment-id="${appointmentId}"]`);
  }

  async reschedule(appointmentId: string): Promise<void> {
    await this.visit(appointmentId)
      .getByRole('button', { name: /^Reschedule/ })
      .click();
  }

  async openCancel(appointmentId: string): Promise<void> {
    await this.visit(appointmentId)
      .getByRole('button', { name: /^Cancel/ })
      .click();
  }

  cancelDialog() {
    return this.page.getByRole('dialog', { name: 'Cancel appointment' });
  }

  async confirmCancel(reason: string): Promise<void> {
    const dialog = this.cancelDialog();
    await dialog.getByLabel(/Reason for cancelling/).fill(reason);
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  }

  async addToWaitlist(): Promise<void> {
    await this.page.getByRole('button', { name: /to the waitlist$/ }).click();
  }

  waitlistEntries() {
    return this.page.getByTestId('waitlist-entry');
  }

  waitlistOffer() {
    return this.page.getByTestId('waitlist-offer');
  }
}
