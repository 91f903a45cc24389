import { createRecord, HybridClock, type PaymentEntry } from '@medisync/shared/domain';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '#audit/audit-log';
import { api, enrolledDevice } from '#auth/testing';
import { createLogger } from '#logger';
import { writeRecords } from '#sync/store';
import { newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { standInBilling, startStripeStandIn, type StripeStandIn } from '#testing/stripe-stand-in';
import { startTestServer, type TestServer } from '#testing/test-server';
import { invoiceNumber } from './invoice-pdf.js';
import { BillingService } from './service.js';

/** A desk with a Stripe Terminal reader (docs/architecture.md §9.7), and the invoice as a PDF. */

const READER = 'tmr_test_frontdesk1';
let stripe: StripeStandIn;
let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let desk: string;
const clock = new HybridClock('billing-terminal');
const seeder = { id: 'fixtures', role: 'server', source: 'server' } as const;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  server = await startTestServer({ billing: standInBilling(stripe, { terminalReaderId: READER }) });
  stripe.setWebhookUrl(`${server.url}/webhooks/stripe`);
  site = await seedSite(server.db, 'Terminal Clinic');
  desk = (await enrolledDevice(server, site.site.id, 'desk')).token;
});
afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

describe('a card reader at the desk', () => {
  it('sends the copay to the reader as a card-present PaymentIntent, once, and prints the paid invoice', async () => {
    const patient = createRecord('patients', newPatient(site.site.id, { familyName: 'Readerpay' }), clock, seeder);
    const appointment = createRecord(
      'appointments',
      {
        ...newAppointment(site.site.id, patient.id, site.provider.id, new Date(Date.UTC(2026, 11, 3, 16, 0))),
        copayCents: 1800,
      },
      clock,
      seeder,
    );
    await writeRecords(server.db, 'patients', [patient]);
    await writeRecords(server.db, 'appointments', [appointment]);
    const service = new BillingService(
      { db: server.db, io: server.io, log: createLogger('silent'), audit: new AuditLog(server.db) },
      null,
    );
    const charge = (await service.billVisit(site.site.id, appointment.id, 'usd')).find((e) => e.kind === 'charge')!;

    const collect = () =>
      api<{ payment: PaymentEntry }>(server.url, `/billing/charges/${charge.id}/collect`, { token: desk, body: {} });
    const [first, retried] = [await collect(), await collect()];
    expect(first.status).toBe(201);
    expect(first.body.payment).toMatchObject({ method: 'terminal', stripe: { readerId: READER, url: null } });
    expect(retried.body.payment.stripe.paymentIntentId).toBe(first.body.payment.stripe.paymentIntentId);
    expect(stripe.paymentIntents.size).toBe(1);
    const [intent] = [...stripe.paymentIntents.values()];
    expect(intent).toMatchObject({ amount: 1800, currency: 'usd', payment_method_types: ['card_present'] });
    const toReader = () =>
      stripe.requests.filter((r) => r.path === `/v1/terminal/readers/${READER}/process_payment_intent`);
    expect(toReader()).toHaveLength(1);
    expect(stripe.checkoutSessions.size).toBe(0);

    // The first card is declined; taking the payment again sends the same PaymentIntent to the reader once more.
    await stripe.decline(intent!.id);
    expect(await service.readEntry(site.site.id, first.body.payment.id, 'payment')).toMatchObject({ status: 'failed' });
    const [retry, sameRetry] = await Promise.all([collect(), collect()]);
    expect(retry.body.payment).toMatchObject({ status: 'pending' });
    expect(sameRetry.body.payment.stripe.paymentIntentId).toBe(intent!.id);
    expect(toReader()).toHaveLength(2);

    // The patient taps another card; Stripe reports the PaymentIntent succeeded.
    await stripe.pay(intent!.id);
    const paid = await service.readEntry(site.site.id, first.body.payment.id, 'payment');
    expect(paid.status).toBe('succeeded');

    const invoice = await service.readEntry(site.site.id, first.body.payment.invoiceId!, 'invoice');
    expect(invoice).toMatchObject({ status: 'paid', paidCents: 1800 });
    const response = await fetch(`${server.url}/billing/invoices/${invoice.id}/pdf`, {
      headers: { authorization: `Bearer ${desk}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = await PDFDocument.load(new Uint8Array(await response.arrayBuffer()));
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe(`${invoiceNumber(invoice)} Terminal Clinic`);
  }, 30_000);
});
