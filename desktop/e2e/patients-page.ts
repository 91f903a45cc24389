import type { Page } from 'playwright-core';

/** The patient search, a patient's page and the registration form, as a receptionist uses them. */
export class PatientsPage {
  constructor(readonly page: Page) {}

  /** The top bar's "Find a patient" box. */
  searchBox() {
    return this.page.getByRole('combobox', { name: 'Find a patient' });
  }

  async search(text: string): Promise<void> {
    await this.searchBox().fill('');
    await this.searchBox().pressSequentially(text, { delay: 15 });
  }

  /** The search's open results (other screens have list boxes of their own). */
  resultList() {
    return this.page.locator('.patient-search__popover').getByRole('listbox');
  }

  /** The search's result lines as shown: name, then birth date and MRN. */
  results() {
    return this.resultList().getByRole('option');
  }

  /** Escape closes the results, and the rest of the page is there for screen readers again. */
  async closeResults(): Promise<void> {
    await this.searchBox().press('Escape');
    await this.resultList().waitFor({ state: 'detached' });
  }

  resultTexts(): Promise<string[]> {
    return this.results().allTextContents();
  }

  heading() {
    return this.page.getByRole('heading', { level: 1 });
  }

  headingText(): Promise<string | null> {
    return this.heading().textContent();
  }

  announced(): Promise<string | null> {
    return this.page.getByTestId('announcer').textContent();
  }

  field(label: string) {
    return this.page.getByLabel(label, { exact: true });
  }

  async fill(values: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(values)) {
      const field = this.field(label);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption({ label: value });
      else await field.fill(value);
    }
  }

  button(name: string | RegExp) {
    return this.page.getByRole('button', { name });
  }

  link(name: string | RegExp) {
    return this.page.getByRole('link', { name });
  }

  duplicates() {
    return this.page.getByRole('region', { name: /Possibly/ }).getByRole('listitem');
  }

  ticketCode(): Promise<string | null> {
    return this.page.getByTestId('ticket-code').textContent();
  }

  mrn(): Promise<string | null> {
    return this.page.getByTestId('patient-mrn').textContent();
  }
}
