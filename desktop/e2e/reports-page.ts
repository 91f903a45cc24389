import type { Locator, Page } from 'playwright-core';

/** The admins' Reports screen, by what it shows. */
export class ReportsPage {
  constructor(readonly page: Page) {}

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Reports' });
  }

  preset(name: 'Today' | 'Last 7 days' | 'Last 30 days'): Locator {
    return this.page.getByRole('group', { name: 'Range' }).getByRole('button', { name });
  }

  dateField(name: 'From' | 'To'): Locator {
    return this.page.getByLabel(name, { exact: true });
  }

  /** The day-by-day table's rows (one a day of the range). */
  dailyRows(): Locator {
    return this.page.getByTestId('report-daily').locator('tbody tr');
  }

  card(id: 'due' | 'no-show-rate' | 'late-cancel-rate' | 'walk-ins' | 'kiosk-share' | 'median-wait'): Locator {
    return this.page.getByTestId(`report-${id}`).locator('.metric__value');
  }

  modelSection(): Locator {
    return this.page.getByTestId('report-model');
  }

  charts(): Locator {
    return this.page.locator('.chart svg');
  }

  /** Clicks Export CSV and reads the file the browser saved. */
  async exportCsv(): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }
}
