import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildRenderer,
  describeInBrowser,
  expectNoAxeViolations,
  launchChromium,
  saveScreenshot,
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
    await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 20_000 });
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

  it('says when nothing matches today and sends the patient to the desk where walk-ins are not taken', async () => {
    const kiosk = await open();
    await kiosk.start();
    await kiosk.identify('Nobody', { day: '1', month: '1', year: '1990' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.noAppointmentTitle);
    const body = (await kiosk.page.textContent('main')) ?? '';
    expect(body).toContain(catalogues.en.seeDesk);
    expect(body).not.toContain(catalogues.en.walkInOffer);
    // Shown once: the screen says it; the status region only repeats nothing of it.
    expect(await kiosk.live().textContent()).not.toContain(catalogues.en.noAppointment);
    expect(await kiosk.live().evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    // Try again keeps what was typed.
    await kiosk.page.getByRole('button', { name: catalogues.en.tryAgain }).click();
    expect(await kiosk.page.getByRole('textbox', { name: catalogues.en.familyName, exact: true }).inputValue()).toBe(
      'Nobody',
    );
    await kiosk.page.context().close();
  });

  it('tells a patient who is too early when to come back, and offers no check-in', async () => {
    const kiosk = await open('?now=2026-03-02T07:00:00Z');
    await kiosk.start();
    await kiosk.identify('García-Núñez', { day: '2', month: '4', year: '1980' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.tooEarlyTitle);
    expect(await kiosk.page.textContent('main')).toContain(catalogues.en.tooEarly('09:30', '08:30'));
    expect(await kiosk.page.getByRole('button', { name: catalogues.en.confirm }).count()).toBe(0);
    await saveScreenshot(kiosk.page, 'kiosk-too-early');
    await kiosk.page.context().close();
  });

  it('checks an early patient in where the clinic allows it, with a wait for their own appointment', async () => {
    const kiosk = await open('?now=2026-03-02T07:00:00Z&early=allow');
    await kiosk.start();
    await kiosk.identify('García-Núñez', { day: '2', month: '4', year: '1980' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.tooEarlyTitle);
    expect(await kiosk.page.textContent('main')).toContain(catalogues.en.earlyAllowed('09:30'));
    await kiosk.page.getByRole('button', { name: catalogues.en.confirm }).click();
    await expect.poll(() => kiosk.page.getByTestId('wait').textContent()).toBe(catalogues.en.waitUntil('09:30'));
    expect(await kiosk.page.textContent('main')).not.toMatch(/about 0 minutes/);
    await kiosk.page.context().close();
  });

  it('sends a patient who is too late to the front desk', async () => {
    const kiosk = await open('?now=2026-03-02T10:00:00Z');
    await kiosk.start();
    await kiosk.identify('García-Núñez', { day: '2', month: '4', year: '1980' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.tooLateTitle);
    expect(await kiosk.page.textContent('main')).toContain(catalogues.en.tooLate('09:30'));
    expect(await kiosk.page.getByRole('button', { name: catalogues.en.confirm }).count()).toBe(0);
    await kiosk.page.context().close();
  });

  it('registers a walk-in where the clinic allows it, in the language the patient chose', async () => {
    const kiosk = await open('?walkIns=1');
    await kiosk.start();
    await kiosk.identify('Okoye', { day: '5', month: '6', year: '1991' });
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.noAppointmentTitle);
    await kiosk.page.getByRole('button', { name: catalogues.en.walkInStart }).click();
    await kiosk.page.getByRole('button', { name: catalogues.en.walkInSubmit }).click();
    await expect.poll(() => kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.incomplete);
    await kiosk.page.getByLabel(catalogues.en.givenName).fill('Ada');
    await kiosk.page.getByLabel(catalogues.en.phoneOptional).fill('+1 555 0100');
    await kiosk.page.getByRole('button', { name: catalogues.en.walkInSubmit }).click();
    await expect.poll(() => kiosk.page.getByTestId('ticket-code').textContent()).toBe('A-042');
    expect(await kiosk.page.evaluate(() => (globalThis as unknown as { written: unknown[] }).written)).toEqual([
      {
        walkIn: {
          givenName: 'Ada',
          familyName: 'Okoye',
          dob: '1991-06-05',
          phone: '+1 555 0100',
          preferredLanguage: 'en',
        },
      },
    ]);
    await kiosk.page.context().close();
  });

  it('takes a new phone number and insurance before confirming, and shows nothing on file', async () => {
    const kiosk = await open();
    await kiosk.start();
    await kiosk.identify('Nguyen', { day: '20', month: '11', year: '1955' });
    await kiosk.page.getByRole('button', { name: catalogues.en.updateDetails }).click();
    await kiosk.page.getByLabel(catalogues.en.phone).fill('555 0199');
    await kiosk.page.getByLabel(catalogues.en.insurancePayer).fill('Acme Health');
    await kiosk.page.getByRole('button', { name: catalogues.en.saveDetails }).click();
    await expect.poll(() => kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.insuranceIncomplete);
    await kiosk.page.getByLabel(catalogues.en.insuranceMemberId).fill('M-123');
    await kiosk.page.getByRole('button', { name: catalogues.en.saveDetails }).click();
    await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.confirmTitle);
    await kiosk.page.getByRole('button', { name: catalogues.en.confirm }).click();
    await expect.poll(() => kiosk.page.getByTestId('ticket-code').textContent()).toBe('A-041');
    expect(await kiosk.page.evaluate(() => (globalThis as unknown as { written: unknown[] }).written)).toEqual([
      {
        checkIn: harnessPatients[1].appointmentId,
        intake: { phone: '555 0199', insurance: { payer: 'Acme Health', memberId: 'M-123', groupNumber: null } },
      },
    ]);
    await kiosk.page.context().close();
  });

  it('locks identity search after five misses, and walking away or reloading does not unlock it', async () => {
    const kiosk = await open('?idle=2');
    await kiosk.start();
    for (let miss = 1; miss <= 5; miss++) {
      await kiosk.identify(`Nobody${miss}`, { day: '1', month: '1', year: '1990' });
      if (miss < 5) {
        await expect.poll(() => kiosk.heading().textContent()).toBe(catalogues.en.noAppointmentTitle);
        await kiosk.page.getByRole('button', { name: catalogues.en.tryAgain }).click();
      }
    }
    await expect.poll(() => kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.locked);
    expect(await kiosk.page.getByRole('textbox').count()).toBe(0);
    await expect.poll(() => kiosk.heading().textContent(), { timeout: 10_000 }).toBe(catalogues.en.welcomeTitle);
    await kiosk.start();
    expect(await kiosk.page.getByRole('alert').textContent()).toBe(catalogues.en.locked);
    await kiosk.page.reload();
    await kiosk.start();
    await expect.poll(() => kiosk.page.getByTestId('kiosk-locked').textContent()).toBe(catalogues.en.locked);
    await kiosk.page.context().close();
  });

  it('finds no accessibility violations on any check-in screen in any language', async () => {
    for (const language of languages) {
      const t = catalogues[language];
      const kiosk = await open('?walkIns=1');
      const page = kiosk.page;
      await kiosk.chooseLanguage(t.languageName);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: t.start }).click();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: t.find }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe(t.incomplete);
      await expectNoAxeViolations(page);
      await page.getByRole('textbox', { name: t.familyName, exact: true }).fill('García-Núñez');
      await page.getByLabel(t.day, { exact: true }).fill('2');
      await page.getByRole('combobox').selectOption('4');
      await page.getByLabel(t.year, { exact: true }).fill('1980');
      await page.getByRole('button', { name: t.find }).click();
      await expect.poll(() => kiosk.heading().textContent()).toBe(t.confirmTitle);
      await expectNoAxeViolations(page);
      if (language === 'zh' || language === 'vi') await saveScreenshot(page, `kiosk-confirm-${language}`);
      await page.getByRole('button', { name: t.updateDetails }).click();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: t.back }).click();
      await page.getByRole('button', { name: t.confirm }).click();
      await expect.poll(() => page.getByTestId('ticket-code').textContent()).toBe('A-041');
      await expectNoAxeViolations(page);
      await saveScreenshot(page, `kiosk-done-${language}`);
      await page.getByRole('button', { name: t.finish }).click();
      // Done clears the screen back to the default language.
      await kiosk.chooseLanguage(t.languageName);
      await page.getByRole('button', { name: t.start }).click();
      await page.getByRole('textbox', { name: t.familyName, exact: true }).fill('Nobody');
      await page.getByLabel(t.day, { exact: true }).fill('1');
      await page.getByRole('combobox').selectOption('1');
      await page.getByLabel(t.year, { exact: true }).fill('1990');
      await page.getByRole('button', { name: t.find }).click();
      await expect.poll(() => kiosk.heading().textContent()).toBe(t.noAppointmentTitle);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: t.walkInStart }).click();
      await expectNoAxeViolations(page);
      if (language === 'zh') await saveScreenshot(page, 'kiosk-walk-in-zh');
      await page.context().close();
    }
    const early = await open('?now=2026-03-02T07:00:00Z');
    await early.start();
    await early.identify('García-Núñez', { day: '2', month: '4', year: '1980' });
    await expect.poll(() => early.heading().textContent()).toBe(catalogues.en.tooEarlyTitle);
    await expectNoAxeViolations(early.page);
    await early.page.context().close();
  }, 300_000);

  it('renders the Chinese and Vietnamese buttons with the fonts it ships, not empty boxes', async () => {
    const kiosk = await open();
    const loaded = await kiosk.page.evaluate(async () => {
      type Fonts = { load(font: string, text: string): Promise<unknown[]>; check(font: string, text: string): boolean };
      const fonts = (globalThis as unknown as { document: { fonts: Fonts } }).document.fonts;
      const zh = await fonts.load('22px "Noto Sans SC"', '中文');
      const vi = await fonts.load('22px "Noto Sans"', 'Tiếng Việt');
      return { zh: zh.length > 0 && fonts.check('22px "Noto Sans SC"', '中文'), vi: vi.length > 0 };
    });
    expect(loaded).toEqual({ zh: true, vi: true });
    await kiosk.chooseLanguage(catalogues.zh.languageName);
    await saveScreenshot(kiosk.page, 'kiosk-welcome-zh');
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
    await expect.poll(() => page.getByTestId('display-call').count(), { timeout: 20_000 }).toBe(harnessPatients.length);
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

  for (const viewport of [
    { width: 1920, height: 1080, rows: 6 },
    { width: 1080, height: 1920, rows: 10 },
    { width: 3840, height: 2160, rows: 6 },
  ]) {
    it(`shows every row it claims to at ${viewport.width}×${viewport.height}, and counts the rest`, async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      await page.goto(`${site.url}/index.html?screen=display&calls=14`);
      await expect.poll(() => page.getByTestId('display-call').count(), { timeout: 20_000 }).toBe(viewport.rows - 1);
      expect(await page.getByTestId('display-more').textContent()).toBe(
        catalogues.en.displayMore(14 - (viewport.rows - 1)),
      );
      for (const row of [...(await page.getByTestId('display-call').all()), page.getByTestId('display-more')]) {
        const box = (await row.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
        // The text is not clipped either.
        expect(await row.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
      }
      expect(await page.getByTestId('display-clinic').textContent()).toBe('Riverside Family Clinic');
      expect(await page.getByTestId('display-clock').textContent()).toMatch(/^\d\d:\d\d$/);
      expect(await page.getByTestId('display-queues').textContent()).toContain(catalogues.en.displayWaiting(2));
      const scrollHeight = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
            .documentElement.scrollHeight,
      );
      expect(scrollHeight).toBeLessThanOrEqual(viewport.height);
      await saveScreenshot(page, `display-${viewport.width}x${viewport.height}`);
      await context.close();
    });
  }

  it('finds no accessibility violations on the display in any language', async () => {
    for (const language of languages) {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      await page.goto(`${site.url}/index.html?screen=display&calls=3&lang=${language}`);
      await expect.poll(() => page.getByTestId('display-call').count(), { timeout: 20_000 }).toBe(3);
      await expectNoAxeViolations(page);
      if (language === 'zh') await saveScreenshot(page, 'display-zh');
      await context.close();
    }
  }, 120_000);
});
