import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRecord,
  HybridClock,
  invoiceIdOf,
  newId,
  type LedgerEntry,
  type PaymentEntry,
} from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { AuditLog } from '#audit/audit-log';
import { api, enrolledDevice, signIn, staffUser } from '#auth/testing';
import { expectValidFhir, fhir } from '#fhir/testing';
import { createLogger } from '#logger';
import { writeRecords } from '#sync/store';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { standInBilling, startStripeStandIn, type StripeStandIn } from '#testing/stripe-stand-in';
import { startTestServer, type TestServer } from '#testing/test-server';
import { BillingService } from './service.js';

/**
 * Billing for integrations (docs/architecture.md §9.7): invoices, payments and claims
 * through REST and FHIR R4, and the webhooks they raise.
 */

let stripe: StripeStandIn;
let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
let deskToken: string;
let adminToken: string;
const received: { type: string; record: { id: string; status?: string } & Record<string, unknown> }[] = [];
let receiver: http.Server;
const clock = new HybridClock('billing-integration');
const seeder = { id: 'fixtures', role: 'server', source: 'server' } as const;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  server = await startTestServer({
    billing: standInBilling(stripe),
    webhooks: { pollMs: 50, retryBaseMs: 50, retryMaxMs: 400 },
  });
  stripe.setWebhookUrl(`${server.url}/webhooks/stripe`);
  site = await seedSite(server.db);
  key = await apiClientKey(server.db, site.site.id);
  deskToken = (await enrolledDevice(server, site.site.id, 'desk')).token;
  const admin = await staffUser(server.db, [site.site.id], 'admin');
  adminToken = (await signIn(server.url, admin.email)).accessToken;
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { type: string; data: { record: (typeof received)[number]['record'] } };
      received.push({ type: body.type, record: body.data.record });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const subscribed = await rest('/webhooks', {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    events: ['invoice.paid', 'payment.refunded', 'claim.updated'],
  });
  expect(subscribed.status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await stripe?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

const rest = <T = Record<string, unknown>>(path: string, body?: unknown) =>
  api<T>(server.url, `/api/v1${path}`, { token: key, ...(body === undefined ? {} : { body }) });

/** An insured patient's visit with a copay, billed and paid through the payment link, then partly refunded. */
async function paidInsuredVisit() {
  const patient = createRecord(
    'patients',
    newPatient(site.site.id, { insurance: { payer: 'Acme Health', memberId: 'AC-1001', groupNumber: 'G-7' } }),
    clock,
    seeder,
  );
  const appointment = createRecord(
    'appointments',
    {
      ...newAppointment(site.site.id, patient.id, site.provider.id, new Date(Date.UTC(2026, 11, 2, 15, 0))),
      copayCents: 3000,
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
  const billed = await service.billVisit(site.site.id, appointment.id, 'usd');
  const charge = billed.find((e) => e.kind === 'charge')!;
  const collected = await api<{ payment: PaymentEntry }>(server.url, `/billing/charges/${charge.id}/collect`, {
    token: deskToken,
    body: {},
  });
  await stripe.pay(collected.body.payment.stripe.checkoutSessionId!);
  const refunded = await api(server.url, `/billing/payments/${collected.body.payment.id}/refunds`, {
    token: adminToken,
    body: { refundId: newId(), amountCents: 500, reason: 'Courtesy discount' },
  });
  expect(refunded.status).toBe(201);
  return { patient, appointment, paymentId: collected.body.payment.id, invoiceId: invoiceIdOf(appointment.id) };
}

describe('billing for integrations', () => {
  it('answers invoices and payments over REST and FHIR, and raises invoice.paid and payment.refunded', async () => {
    const visit = await paidInsuredVisit();
    const invoices = await rest<{ data: Record<string, unknown>[] }>(`/invoices?appointment=${visit.appointment.id}`);
    expect(invoices.status).toBe(200);
    expect(invoices.body.data).toEqual([
      expect.objectContaining({
        id: visit.invoiceId,
        status: 'paid',
        totalCents: 3000,
        paidCents: 3000,
        refundedCents: 500,
        dueCents: 0,
        insurance: { payer: 'Acme Health', memberId: 'AC-1001', groupNumber: 'G-7' },
      }),
    ]);
    expect(invoices.body.data[0]).not.toHaveProperty('clocks');
    const payment = await rest<Record<string, unknown>>(`/payments/${visit.paymentId}`);
    expect(payment.body).toMatchObject({ status: 'partially-refunded', amountCents: 3000, refundedCents: 500 });
    expect((await rest(`/payments/${visit.invoiceId}`)).status).toBe(404);

    const base = `${server.url}/fhir/R4`;
    const invoice = await fhir<Record<string, unknown>>(base, `/Invoice/${visit.invoiceId}`, { token: key });
    expect(invoice.status).toBe(200);
    expectValidFhir(invoice.body);
    expect(invoice.body).toMatchObject({
      status: 'balanced',
      subject: { reference: `Patient/${visit.patient.id}` },
      totalGross: { value: 30, currency: 'USD' },
    });
    const search = await fhir<{ total?: number; entry?: unknown[] }>(
      base,
      `/Invoice?patient=Patient/${visit.patient.id}&status=balanced`,
      { token: key },
    );
    expectValidFhir(search.body);
    expect(search.body.entry).toHaveLength(1);
    expect((await fhir(base, `/Invoice/${visit.paymentId}`, { token: key })).status).toBe(404);

    await eventually(() => {
      expect(received.filter((e) => e.record.id === visit.invoiceId).map((e) => e.type)).toEqual(['invoice.paid']);
      // The record as REST answers it: the invoice with its totals.
      expect(received.find((e) => e.record.id === visit.invoiceId)?.record).toMatchObject({
        status: 'paid',
        totalCents: 3000,
        dueCents: 0,
      });
      expect(received.filter((e) => e.record.id === visit.paymentId).map((e) => e.type)).toEqual(['payment.refunded']);
    });
  }, 30_000);

  it('drafts a claim from an insured invoice and records the payer’s answer, as REST, FHIR and claim.updated show', async () => {
    const visit = await paidInsuredVisit();
    const drafted = await rest<{ id: string; status: string; billedCents: number }>('/claims', {
      invoiceId: visit.invoiceId,
    });
    expect(drafted.status).toBe(201);
    expect(drafted.body).toMatchObject({ status: 'draft', billedCents: 3000 });
    const again = await rest<{ id: string }>('/claims', { invoiceId: visit.invoiceId });
    expect(again.body.id).toBe(drafted.body.id);

    const claimId = drafted.body.id;
    const move = (body: Record<string, unknown>) => rest<Record<string, unknown>>(`/claims/${claimId}/status`, body);
    expect((await move({ status: 'paid', payerPaidCents: 2000 })).status).toBe(409);
    expect((await move({ status: 'submitted' })).body).toMatchObject({ status: 'submitted' });
    expect((await move({ status: 'denied' })).status).toBe(400);
    expect((await move({ status: 'accepted', approvedCents: 2400 })).body).toMatchObject({
      status: 'accepted',
      approvedCents: 2400,
    });
    expect((await move({ status: 'paid', payerPaidCents: 2400 })).body).toMatchObject({
      status: 'paid',
      payerPaidCents: 2400,
    });

    const claim = await fhir<Record<string, unknown>>(`${server.url}/fhir/R4`, `/Claim/${claimId}`, { token: key });
    expect(claim.status).toBe(200);
    expectValidFhir(claim.body);
    expect(claim.body).toMatchObject({
      status: 'active',
      patient: { reference: `Patient/${visit.patient.id}` },
      provider: { reference: `Practitioner/${site.provider.id}` },
      total: { value: 30, currency: 'USD' },
    });
    expect(claim.body.extension).toEqual([{ url: 'urn:medisync:fhir:claim-status', valueCode: 'paid' }]);
    const listed = await rest<{ data: LedgerEntry[] }>(`/claims?status=paid&patient=${visit.patient.id}`);
    expect(listed.body.data.map((c) => c.id)).toEqual([claimId]);

    await eventually(() => {
      expect(
        received.filter((e) => e.type === 'claim.updated' && e.record.id === claimId).map((e) => e.record.status),
      ).toEqual(['draft', 'submitted', 'accepted', 'paid']);
    });
  }, 30_000);
});
