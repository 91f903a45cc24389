import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '#testing/test-server';

/** The desktop's browser helpers (system Chromium, the loud skip), loaded at run time from their own project. */
const helpers = (await import(
  join(fileURLToPath(new URL('../../..', import.meta.url)), 'desktop', 'e2e', 'browser.ts')
)) as {
  describeInBrowser(name: string, body: () => void): void;
  launchChromium(): Promise<Browser>;
};

helpers.describeInBrowser('GraphiQL in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await helpers.launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs under the server’s strict content security policy: it loads the schema and runs a query', async () => {
    // The page's own policy stays in force (no bypassCSP): a blocked script or worker would show here.
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/content security policy|refused to/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${server.url}/graphql/graphiql`);
    await page.getByRole('button', { name: 'Execute query' }).click();
    // Without a key the API says so; the schema itself was introspected without one.
    await expect
      .poll(() => page.locator('.graphiql-response').innerText(), { timeout: 20_000 })
      .toContain('token-missing');
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await expect
      .poll(() => page.getByText('Query', { exact: true }).first().isVisible(), { timeout: 20_000 })
      .toBe(true);
    expect(problems).toEqual([]);
  });
});
