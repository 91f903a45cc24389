import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDateAt, zonedTimeToUtc, type LedgerEntry, type Site } from '@medisync/shared/domain';
import {
  standInBilling,
  startStripeStandIn,
  type StripeStandIn,
} from '@medisync/sync-server/src/testing/stripe-stand-in.js';
import { SmtpStandIn } from '@medisync/sync-server/src/testing/smtp-stand-in.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import { loadConfig } from '@medisync/sync-server/src/config.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoAxeViolations } from './axe.js';
import { buildRenderer, describeInBrowser, launchChromium, type BuiltRenderer } from './browser.js';
import { DeskPage } from './desk-page.js';
import { OtherDesk } from './other-desk.js';
import { saveScreenshot } from './screenshots.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describeInBrowser('billing at the desk in Chromium, with Stripe and the mail relay played by local stand-ins', () => {
  let stripe: StripeStandIn;
  let smtp: SmtpStandIn;
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let context: BrowserContext;
  let page: Page;
  let desk: DeskPage;
  let other: OtherDesk;

  beforeAll(async () => {
    stripe = await startStripeStandIn();
    smtp = await SmtpStandIn.start();
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({
      demo: true,
      renderers: [{ mount: '/app/desktop', dir: renderer.dir }],
      billing: standInBilling(stripe),
      // Invoices are emailed through the reminders' channel.
      reminders: {
        ...loadConfig({}).reminders,
        email: { kind: 'smtp', url: smtp.url, from: 'billing@demo.clinic' },
      },
    });
    stripe.setWebhookUrl(`${server.url}/webhooks/stripe`);
    browser = await launchChromium();
    other = await OtherDesk.signIn(server, 'billing-setup');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    desk = new DeskPage(page);
    await page.goto(`${server.url}/app/desktop/`);
    // An admin: the one who may refund.
    await desk.signIn('admin@demo.clinic', 'medisync-demo');
    await desk.todayHeading().waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await renderer?.remove();
    await stripe?.close();
    await smtp?.close();
  });

  const panel = () => desk.visitPanel();
  const billing = () => panel().getByTestId('visit-billing');
  const amount = (name: 'due' | 'paid' | 'refunded') => billing().getByTestId(`billing-${name}`).textContent();
  const ledgerOf = async (appointmentId: string) =>
    (
      await server.db.query<{ doc: LedgerEntry }>(`SELECT doc FROM ledger WHERE doc->>'appointmentId' = $1`, [
        appointmentId,
      ])
    ).map((r) => r.doc);

  it('collects a copay through the payment link, then refunds part of it with a reason', async () => {
    // Today at 06:30 in the clinic, before it opens: no demo visit of this provider clashes, whatever the hour.
    const [patient] = await other.patients(1, 40);
    const [providerId] = await other.providerIds();
    const timezone = server.config.demoTimezone;
    const start = zonedTimeToUtc(localDateAt(new Date(), timezone), '06:30', timezone);
    const visit = { ...other.booking(patient!, providerId!, start), copayCents: 2500 };
    await other.push('appointments', [visit]);

    await page.goto(`${server.url}/app/desktop/#/today?visit=${visit.id}`);
    await expect.poll(() => amount('due'), { timeout: 15_000 }).toBe('$25.00');
    expect(await amount('paid')).toBe('$0.00');
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-visit-due');
    await expectNoAxeViolations(page, '[data-testid="visit-panel"]');

    await billing().getByRole('button', { name: 'Take payment $25.00' }).click();
    const link = billing().getByTestId('payment-link');
    await link.waitFor({ timeout: 15_000 });
    const url = await link.locator('svg').getAttribute('data-payment-url');
    expect(url).toMatch(new RegExp(`^${stripe.url}/pay/cs_test_`));
    expect(await billing().getByTestId('billing-line').textContent()).toContain('Waiting for payment');
    // One PaymentIntent for the copay, carrying ids only.
    expect(stripe.paymentIntents.size).toBe(1);
    const [intent] = [...stripe.paymentIntents.values()];
    expect(Object.keys(intent!.metadata).sort()).toEqual(['chargeId', 'paymentId', 'siteId']);
    // Stripe emails the receipt to the address on file; the line says "Copay", nothing about the visit.
    expect(intent).toMatchObject({ receipt_email: patient!.email, description: 'Copay' });
    await link.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-payment-link');
    await expectNoAxeViolations(page, '[data-testid="visit-panel"]');

    // The patient scans the code and pays on Stripe's page, on their own phone.
    const phone = await context.newPage();
    await phone.goto(url!);
    await phone.getByRole('button', { name: /^Pay 25\.00 USD/ }).click();
    await phone.getByRole('heading', { name: 'Payment received' }).waitFor();
    await phone.close();

    await expect.poll(() => amount('paid'), { timeout: 15_000 }).toBe('$25.00');
    expect(await amount('due')).toBe('$0.00');
    expect(await billing().getByTestId('payment-link').count()).toBe(0);
    expect(await billing().getByTestId('billing-line').textContent()).toMatch(/Copay\$25\.00Paid/);
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-paid');

    // The invoice, as a PDF made from the invoice record.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      billing().getByRole('button', { name: 'Invoice PDF' }).click(),
    ]);
    const pdf = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(pdf!)).subarray(0, 5).toString()).toBe('%PDF-');

    // And emailed, the PDF attached: the address on file is offered, and the patient may give another.
    await billing().getByRole('button', { name: 'Email invoice…' }).click();
    const emailDialog = page.getByRole('dialog', { name: 'Email the invoice' });
    const address = emailDialog.getByLabel(/^Email address/);
    expect(await address.inputValue()).toBe(patient!.email);
    await address.fill('accounts@employer.example');
    await saveScreenshot(page, 'billing-invoice-email-dialog');
    await expectNoAxeViolations(page, '[role="dialog"]');
    await emailDialog.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => billing().textContent(), { timeout: 15_000 })
      .toContain('Invoice emailed to accounts@employer.example');
    await expect
      .poll(() => page.getByTestId('announcer').textContent())
      .toBe('Invoice emailed to accounts@employer.example');
    const [mail] = smtp.messages.filter((m) => m.to.includes('accounts@employer.example'));
    expect(mail!.attachments.map((a) => [a.filename, a.contentType, a.content.subarray(0, 5).toString()])).toEqual([
      [
        `invoice-${(await ledgerOf(visit.id)).find((e) => e.kind === 'invoice')!.id.slice(0, 8)}.pdf`,
        'application/pdf',
        '%PDF-',
      ],
    ]);
    // The address was for this invoice only: the patient's record keeps its own.
    const [onRecord] = await server.db.query<{ email: string }>(
      `SELECT doc->>'email' AS email FROM patients WHERE id = $1`,
      [patient!.id],
    );
    expect(onRecord!.email).toBe(patient!.email);
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-invoice-emailed');

    await billing().getByRole('button', { name: 'Refund…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund payment' });
    await dialog.getByLabel(/^Amount to refund/).fill('10.00');
    await dialog.getByLabel('Reason for the refund').fill('Copay tier was lower for this plan');
    await saveScreenshot(page, 'billing-refund-dialog');
    await expectNoAxeViolations(page, '[role="dialog"]');
    await dialog.getByRole('button', { name: 'Refund $10.00' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    await expect.poll(() => amount('refunded'), { timeout: 15_000 }).toBe('$10.00');
    expect(await amount('paid')).toBe('$25.00');
    expect(await billing().getByTestId('billing-line').textContent()).toContain('Paid · $10.00 refunded');
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-refunded');
    expect([...stripe.refunds.values()].map((r) => r.amount)).toEqual([1000]);
    const payment = (await ledgerOf(visit.id)).find((e) => e.kind === 'payment');
    expect(payment).toMatchObject({
      status: 'partially-refunded',
      refunds: [expect.objectContaining({ amountCents: 1000, reason: 'Copay tier was lower for this plan' })],
    });

    // The patient is insured: the desk drafts the claim and submits it.
    const claim = billing().getByTestId('billing-claim');
    expect(await claim.textContent()).toContain('Not drafted');
    await claim.getByRole('button', { name: 'Draft claim' }).click();
    await expect.poll(() => claim.textContent()).toContain('Draft, not sent');
    await claim.getByRole('button', { name: 'Submit claim' }).click();
    await expect.poll(() => claim.textContent()).toContain('Submitted, waiting for the insurer');
    await expect
      .poll(async () => (await ledgerOf(visit.id)).find((e) => e.kind === 'claim')?.status, { timeout: 15_000 })
      .toBe('submitted');
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-claim');

    // The remittance advice comes back: the admin records that the insurer paid $18.00 of $20.00 approved.
    await claim.getByRole('button', { name: 'Record insurer’s answer…' }).click();
    const answer = page.getByRole('dialog', { name: 'Insurer’s answer' });
    await answer.getByText('Paid it').click();
    expect(await answer.getByRole('radio', { name: 'Paid it' }).isChecked()).toBe(true);
    await answer.getByLabel('Amount approved').fill('25.00');
    await answer.getByLabel('Amount the insurer paid').fill('30.00');
    // More than was approved is not a payment of this claim.
    await answer.getByLabel('Amount approved').focus();
    expect(await answer.getByRole('button', { name: 'Record answer' }).isDisabled()).toBe(true);
    await answer.getByLabel('Amount approved').fill('20.00');
    await answer.getByLabel('Amount the insurer paid').fill('18.00');
    await saveScreenshot(page, 'billing-claim-answer');
    await expectNoAxeViolations(page);
    await answer.getByRole('button', { name: 'Record answer' }).click();
    await expect.poll(() => claim.textContent()).toContain('Paid by the insurer · $18.00 paid');
    await expect
      .poll(async () => (await ledgerOf(visit.id)).find((e) => e.kind === 'claim'), { timeout: 15_000 })
      .toMatchObject({ status: 'paid', approvedCents: 2000, payerPaidCents: 1800 });

    // The patient's page sums their visits.
    await page.goto(`${server.url}/app/desktop/#/patients/${patient!.id}`);
    const summary = page.getByTestId('patient-billing');
    await expect.poll(() => summary.getByTestId('patient-paid').textContent(), { timeout: 15_000 }).toBe('$25.00');
    expect(await summary.getByTestId('patient-refunded').textContent()).toBe('$10.00');
    expect(await summary.getByTestId('patient-due').textContent()).toBe('$0.00');
    await saveScreenshot(page, 'billing-patient');
  }, 90_000);

  it("an admin lets the site's kiosks offer the copay after check-in", async () => {
    await desk.openView('Fees');
    const choice = page.getByRole('checkbox', { name: /pay their copay at the kiosk/ });
    // The server's default is off, and this site never chose.
    await expect.poll(() => choice.isDisabled(), { timeout: 15_000 }).toBe(false);
    expect(await choice.isChecked()).toBe(false);
    expect(await page.getByText('This site follows the server’s default until you choose.').isVisible()).toBe(true);
    await page.getByText('Offer patients to pay their copay at the kiosk after they check in').click();
    await expect
      .poll(
        async () =>
          (await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [other.siteId]))[0]?.doc.billing,
        { timeout: 15_000 },
      )
      .toEqual({ kioskPayments: true });
    expect(await choice.isChecked()).toBe(true);
    await saveScreenshot(page, 'fees-kiosk-payments');
  });

  it('records a payment tried without the network as "collect at desk", never as paid, and takes it once back online', async () => {
    const [patient] = await other.patients(1, 41);
    const [providerId] = await other.providerIds();
    const timezone = server.config.demoTimezone;
    const start = zonedTimeToUtc(localDateAt(new Date(), timezone), '06:50', timezone);
    const visit = { ...other.booking(patient!, providerId!, start), copayCents: 1500 };
    await other.push('appointments', [visit]);
    await page.goto(`${server.url}/app/desktop/#/today?visit=${visit.id}`);
    await expect.poll(() => amount('due'), { timeout: 15_000 }).toBe('$15.00');

    await context.setOffline(true);
    await billing().getByRole('button', { name: 'Take payment $15.00' }).click();
    await expect
      .poll(() => billing().getByRole('status').textContent(), { timeout: 15_000 })
      .toContain('recorded as “collect at desk”');
    await expect.poll(() => billing().getByTestId('billing-line').textContent()).toContain('Collect at desk');
    expect(await amount('due')).toBe('$15.00');
    expect(await amount('paid')).toBe('$0.00');
    // Emailing the invoice needs the server: the desk says so before anyone tries.
    const email = billing().getByRole('button', { name: 'Email invoice…' });
    await expect.poll(() => email.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await billing().getByTestId('email-blocked').textContent()).toContain(
      'needs the server, and this desk is offline',
    );
    await billing().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'billing-collect-at-desk');

    // Back online: the charge reaches the server as due, with no payment; the desk takes it now.
    await context.setOffline(false);
    await expect
      .poll(async () => (await ledgerOf(visit.id)).find((e) => e.kind === 'charge'), { timeout: 20_000 })
      .toMatchObject({ amountCents: 1500, collectAtDesk: expect.any(String) });
    expect((await ledgerOf(visit.id)).some((e) => e.kind === 'payment')).toBe(false);
    await billing().getByRole('button', { name: 'Take payment $15.00' }).click();
    await billing().getByTestId('payment-link').waitFor({ timeout: 15_000 });
    expect((await ledgerOf(visit.id)).find((e) => e.kind === 'payment')).toMatchObject({ status: 'pending' });
  }, 90_000);
});
