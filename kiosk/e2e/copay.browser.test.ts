import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildRenderer,
  describeInBrowser,
  launchChromium,
  saveScreenshot,
  type BuiltRenderer,
} from '@medisync/desktop/testing/browser';
import {
  changeRecord,
  createRecord,
  HybridClock,
  localDateAt,
  newId,
  zonedTimeToUtc,
  type LedgerEntry,
  type Provider,
  type Site,
} from '@medisync/shared/domain';
import {
  standInBilling,
  startStripeStandIn,
  type StripeStandIn,
} from '@medisync/sync-server/src/testing/stripe-stand-in.js';
import { startTestServer, type TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogues } from '../src/renderer/i18n/index.js';
import { enroll, identifyAtKiosk, push, signIn, type Staff } from './lobby-session.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = catalogues.en;

describeInBrowser('the kiosk takes a copay through a payment link after check-in (Chromium, Stripe stand-in)', () => {
  let stripe: StripeStandIn;
  let server: TestServer;
  let browser: Browser;
  let renderer: BuiltRenderer;
  let admin: Staff;
  let desk: Staff;
  const clock = new HybridClock('kiosk-copay-test');

  beforeAll(async () => {
    stripe = await startStripeStandIn();
    renderer = await buildRenderer(path.resolve(here, '../vite.config.ts'));
    server = await startTestServer({
      demo: true,
      renderers: [{ mount: '/app/kiosk', dir: renderer.dir }],
      billing: standInBilling(stripe, { kioskPayments: true }),
    });
    stripe.setWebhookUrl(`${server.url}/webhooks/stripe`);
    browser = await launchChromium();
    admin = await signIn(server, 'admin@demo.clinic');
    desk = await signIn(server, 'desk@demo.clinic');
    // Any hour of today is within the check-in window, so the test holds whenever it runs.
    const [site] = await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [desk.site.id]);
    const checkIn = { earliestMinutesBefore: 24 * 60, latestMinutesAfter: 24 * 60, tooEarly: 'refuse', walkIns: false };
    await push(server, admin, 'sites', changeRecord('sites', site!.doc, { checkIn } as Partial<Site>, clock));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await renderer?.remove();
    await stripe?.close();
  });

  it('offers the copay after check-in, shows Stripe’s page as a QR code, and says when it is paid', async () => {
    const [provider] = await server.db.query<{ doc: Provider }>('SELECT doc FROM providers LIMIT 1');
    const patient = createRecord(
      'patients',
      {
        id: newId(),
        siteId: desk.site.id,
        mrn: null,
        givenName: 'Ines',
        familyName: 'Copayer',
        dob: '1979-09-09',
        sex: 'female',
        phone: null,
        email: null,
        address: null,
        preferredLanguage: 'en',
        insurance: { payer: 'Acme Health', memberId: 'AC-55', groupNumber: null },
        active: true,
        mergedInto: null,
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'patients', patient);
    const start = zonedTimeToUtc(localDateAt(new Date(), desk.site.timezone), '11:40', desk.site.timezone);
    const appointment = createRecord(
      'appointments',
      {
        id: newId(),
        siteId: desk.site.id,
        patientId: patient.id,
        providerId: provider!.doc.id,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + 15 * 60_000).toISOString(),
        visitType: 'follow-up',
        status: 'booked',
        copayCents: 2500,
        notes: null,
      },
      clock,
      desk.actor,
    );
    await push(server, desk, 'appointments', appointment);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/app/kiosk/check-in.html`);
    await enroll(page, server, admin, 'kiosk');
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 20_000 }).toBe('Online');
    await identifyAtKiosk(page, t, 'Copayer', '1979-09-09');
    await page.getByRole('button', { name: t.confirm }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t.doneTitle);

    const copay = page.getByTestId('kiosk-copay');
    await expect.poll(() => copay.textContent(), { timeout: 15_000 }).toContain(t.copayDue('$25.00'));
    await saveScreenshot(page, 'kiosk-copay-offer');

    await copay.getByRole('button', { name: t.payNow }).click();
    const qr = copay.getByRole('img', { name: t.payScan('$25.00') });
    await qr.waitFor({ timeout: 15_000 });
    const url = await qr.getAttribute('data-payment-url');
    expect(url).toMatch(new RegExp(`^${stripe.url}/pay/cs_test_`));
    await saveScreenshot(page, 'kiosk-copay-link');

    // The patient pays on their phone, on Stripe's page; the kiosk never sees the card.
    const phone = await context.newPage();
    await phone.goto(url!);
    await phone.getByRole('button', { name: /^Pay 25\.00 USD/ }).click();
    await phone.getByRole('heading', { name: 'Payment received' }).waitFor();
    await phone.close();

    await expect.poll(() => copay.textContent(), { timeout: 15_000 }).toBe(t.payDone('$25.00'));
    await saveScreenshot(page, 'kiosk-copay-paid');

    // The server billed the visit for the kiosk (which holds no ledger) and recorded the payment, once.
    const ledger = (
      await server.db.query<{ doc: LedgerEntry }>(`SELECT doc FROM ledger WHERE doc->>'appointmentId' = $1`, [
        appointment.id,
      ])
    ).map((r) => r.doc);
    expect(ledger.filter((e) => e.kind === 'charge')).toEqual([
      expect.objectContaining({ chargeType: 'copay', amountCents: 2500 }),
    ]);
    expect(ledger.find((e) => e.kind === 'payment')).toMatchObject({ status: 'succeeded', method: 'payment-link' });
    expect(ledger.find((e) => e.kind === 'invoice')).toMatchObject({
      status: 'paid',
      paidCents: 2500,
      insurance: { payer: 'Acme Health', memberId: 'AC-55', groupNumber: null },
    });
    expect(stripe.paymentIntents.size).toBe(1);
    await context.close();
  }, 90_000);
});
