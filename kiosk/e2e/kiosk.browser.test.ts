import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildRenderer,
  describeInBrowser,
  launchChromium,
  serveDirectory,
  type BuiltRenderer,
  type StaticServer,
} from '@medisync/desktop/testing/browser';
import { catalogues, languages } from '../src/renderer/i18n/index.js';
import { harnessPatients } from './harness/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The check-in screen as a patient uses it. */
class CheckInPage {
  constructor(readonly page: Page) {}
  heading() {
    return this.page.getByRole('heading', { level: 1 });
  }
  live() {
    return this.page.getByTestId('kiosk-live');
  }
  async chooseLanguage(name: string) {
    await this.page.getByRole('button', { name, exact: true }).click();
  }
  async start() {
    await this.page.getByRole('button', { name: catalogues.en.start }).click();
  }
  async identify(familyName: string, dob: { day: string; month: string; year: string }) {
    await this.page.getByRole('textbox', { name: catalogues.en.familyName, exact: true }).fill(familyName);
    await this.page.getByLabel(catalogues.en.day).fill(dob.day);
    await this.page.getByLabel(catalogues.en.month).selectOption(dob.month);
    await this.page.getByLabel(catalogues.en.year).fill(dob.year);
    await this.page.getByRole('button', { name: catalogues.en.find }).click();
  }
}

describeInBrowser('kiosk screens in Chromium', () => {
  let browser: Browser;
  let site: StaticServer;
  let harness: BuiltRenderer;

  beforeAll(async () => {
    harness = await buildRenderer(false, {
      root: path.join(here, 'harness'),
      base: './',
      plugins: [react()],
      resolve: { conditions: ['@medisync/source'] },
      build: {
        emptyOutDir: true,
        target: 'chrome128',
        reportCompressedSize: false,
        chunkSizeWarningLimit: 5000,
      },
    });
    site = await serveDirectory(harness.dir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await harness?.remove();
  });

  async function open(query = '') {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/index.html${query}`);
    return new CheckInPage(page);
  }

  it('switches language everywhere, each offered in its own words, and sets the page language', async () => {
    const kiosk = await open();
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.welcomeTitle);
    for (const language of languages) {
      await kiosk.chooseLanguage(catalogues[language].languageName);
      await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues[language].welcomeTitle);
      expect(await kiosk.page.locator('html').getAttribute('lang')).toBe(language);
      expect(await kiosk.page.getByRole('button', { name: catalogues[language].start }).isVisible()).toBe(true);
    }
    await kiosk.page.context().close();
  });

  it('finds the appointment by family name and date of birth, checks in and shows the ticket, touch targets large', async () => {
    const kiosk = await open();
    await kiosk.start();
    const patient = harnessPatients[0];
    await kiosk.identify('garcia nunez', { day: '2', month: '4', year: '1980' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.confirmTitle);
    expect(await kiosk.live().textContent()).toBe(`Hello, ${patient.givenName} G.`);
    // The full family name is never shown on the kiosk.
    expect(await kiosk.page.textContent('body')).not.toContain(patient.familyName);
    await kiosk.page.getByRole('button', { name: catalogues.en.confirm }).click();
    await expect.poll(() => kiosk.page.getByTestId('ticket-code').textContent()).toBe('A-041');
    expect(await kiosk.live().textContent()).toContain('A-041');
    for (const button of await kiosk.page.getByRole('button').all()) {
      const box = await button.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(48);
      expect(box!.width).toBeGreaterThanOrEqual(48);
    }
    await kiosk.page.context().close();
  });

  it('says so in the live region when nothing matches', async () => {
    const kiosk = await open();
    await kiosk.start();
    await kiosk.identify('Nobody', { day: '1', month: '1', year: '1990' });
    await expect.poll(() => kiosk.live().textContent()).toBe(catalogues.en.notFound);
    await kiosk.page.context().close();
  });

  it('locks identity search after five misses, and walking away does not unlock it', async () => {
    const kiosk = await open('?idle=2');
    await kiosk.start();
    for (let miss = 1; miss <= 5; miss++) {
      await kiosk.identify(`Nobody${miss}`, { day: '1', month: '1', year: '1990' });
      if (miss < 5)
        await expect.poll(() => kiosk.page.getByRole('button', { name: catalogues.en.find }).isEnabled()).toBe(true);
    }
    await expect.poll(() => kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.locked);
    expect(await kiosk.page.getByRole('textbox').count()).toBe(0);
    await expect.poll(() => kiosk.heading().textContent(), { timeout: 10_000 }).toBe(catalogues.en.welcomeTitle);
    await kiosk.start();
    expect(await kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.locked);
    await kiosk.page.context().close();
  });

  it('clears itself and returns to the default language after the idle time', async () => {
    const kiosk = await open('?idle=2');
    await kiosk.chooseLanguage(catalogues.vi.languageName);
    await kiosk.page.getByRole('button', { name: catalogues.vi.start }).click();
    await kiosk.page.getByRole('textbox', { name: catalogues.vi.familyName, exact: true }).fill('Nguyen');
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.vi.identifyTitle);
    const idleSince = Date.now();
    await expect.poll(() => kiosk.heading().textContent(), { timeout: 10_000 }).toBe(catalogues.en.welcomeTitle);
    expect(Date.now() - idleSince).toBeGreaterThanOrEqual(1_500);
    expect(await kiosk.page.locator('html').getAttribute('lang')).toBe('en');
    expect(await kiosk.page.getByRole('textbox').count()).toBe(0);
    await kiosk.page.context().close();
  });

  it('shows ticket codes and rooms on the waiting-room display, never a name, and announces new calls', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/index.html?screen=display`);
    await expect.poll(() => page.getByTestId('display-call').count()).toBe(harnessPatients.length);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('A-010');
    expect(text).toContain('Room 1');
    for (const patient of harnessPatients) {
      expect(text).not.toContain(patient.givenName);
      expect(text).not.toContain(patient.familyName);
    }
    expect(await page.getByTestId('display-announcement').textContent()).toBe('');
    await page.evaluate(() =>
      (globalThis as unknown as { harness: { call(t: string, r: string): void } }).harness.call('A-042', 'Room 3'),
    );
    await expect
      .poll(() => page.getByTestId('display-announcement').textContent())
      .toBe('Ticket A-042, please go to Room 3');
    expect(await page.getByTestId('display-call').first().textContent()).toContain('A-042');
    await context.close();
  });
});
