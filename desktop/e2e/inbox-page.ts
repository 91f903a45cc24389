import type { Locator, Page } from 'playwright-core';

/** The conflicts inbox as a receptionist reads it: one line per thing to decide. */
export class InboxPage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { level: 1, name: 'Inbox' });
  }

  lines(): Locator {
    return this.page.getByTestId('inbox-line');
  }

  lineFor(recordId: string): Locator {
    return this.page.locator(`[data-testid="inbox-line"][data-record-id="${recordId}"]`);
  }

  emptySentence(): Locator {
    return this.page.getByText(/^Nothing to resolve\./);
  }

  topBarCount(): Promise<string | null> {
    return this.page.getByTestId('inbox-count').textContent();
  }

  dialog(): Locator {
    return this.page.locator('[role="dialog"], [role="alertdialog"]');
  }

  announced(): Promise<string | null> {
    return this.page.getByTestId('announcer').textContent();
  }
}
