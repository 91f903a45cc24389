import {
  balanceOf,
  changeRecord,
  copayChargeIdOf,
  createRecord,
  HybridClock,
  invoiceIdOf,
  newId,
  paymentIdOf,
  transitionRecord,
  type LedgerEntry,
  type PaymentEntry,
  type Site,
} from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, enrolledDevice, signIn, staffUser } from '#auth/testing';
import { eventually, newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { standInBilling, startStripeStandIn, type StripeStandIn } from '#testing/stripe-stand-in';
import { startTestServer, type TestServer } from '#testing/test-server';
import { writeRecords } from '#sync/store';

/**
 * Billing end to end (docs/architecture.md §9.7): two desks, a real server on
 * PostgreSQL, and the Stripe stand-in behind the real `stripe` SDK.
 */

let stripe: StripeStandIn;
let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let deskA: SimulatedDevice;
let deskB: SimulatedDevice;
let tokenA: string;
let tokenB: string;
let admin: string;
let desk: string;
const clock = new HybridClock('billing-test');
const seeder = { id: 'fixtures', role: 'server', source: 'server' } as const;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  server = await startTestServer({ billing: standInBilling(stripe) });
  stripe.setWebhookUrl(`${server.url}/webhooks/stripe`);
  site = await seedSite(server.db);
  const a = await enrolledDevice(server, site.site.id, 'desk', 'desk A');
  const b = await enrolledDevice(server, site.site.id, 'desk', 'desk B');
  tokenA = a.token;
  tokenB = b.token;
  [deskA, deskB] = await Promise.all([
    SimulatedDevice.start({ deviceId: a.deviceId, serverPort: server.port, token: a.token }),
    SimulatedDevice.start({ deviceId: b.deviceId, serverPort: server.port, token: b.token }),
  ]);
  const adminUser = await staffUser(server.db, [site.site.id], 'admin');
  admin = (await signIn(server.url, adminUser.email)).accessToken;
  const deskUser = await staffUser(server.db, [site.site.id], 'desk');
  desk = (await signIn(server.url, deskUser.email)).accessToken;
}, 60_000);

afterAll(async () => {
  await Promise.all([deskA?.stop(), deskB?.stop()]);
  await server?.close();
  await stripe?.close();
});

/** A booked visit with a copay, written by the server as the API would. */
async function visitWithCopay(copayCents: number) {
  const patient = createRecord('patients', newPatient(site.site.id), clock, seeder);
  const start = new Date(Date.UTC(2026, 11, 1, 14, 0));
  const appointment = createRecord(
    'appointments',
    { ...newAppointment(site.site.id, patient.id, site.provider.id, start), copayCents },
    clock,
    seeder,
  );
  await writeRecords(server.db, 'patients', [patient]);
  await writeRecords(server.db, 'appointments', [appointment]);
  return { patient, appointment };
}

/** What a desk writes when it bills a visit: the copay charge and the invoice, ids derived from the visit. */
async function billOnDesk(device: SimulatedDevice, visit: Awaited<ReturnType<typeof visitWithCopay>>) {
  const { patient, appointment } = visit;
  const chargeId = copayChargeIdOf(appointment.id);
  await device.create('ledger', {
    id: chargeId,
    kind: 'charge',
    siteId: site.site.id,
    patientId: patient.id,
    appointmentId: appointment.id,
    chargeType: 'copay',
    description: 'Copay',
    amountCents: appointment.copayCents,
    currency: 'usd',
    collectAtDesk: null,
    voided: false,
  });
  await device.create('ledger', {
    id: invoiceIdOf(appointment.id),
    kind: 'invoice',
    siteId: site.site.id,
    patientId: patient.id,
    appointmentId: appointment.id,
    currency: 'usd',
    lines: [{ chargeId, description: 'Copay', amountCents: appointment.copayCents }],
    insurance: null,
    paidCents: 0,
    refundedCents: 0,
    status: 'open',
  });
  return chargeId;
}

async function ledgerOf(appointmentId: string): Promise<LedgerEntry[]> {
  const rows = await server.db.query<{ doc: LedgerEntry }>(
    `SELECT doc FROM ledger WHERE NOT deleted AND doc->>'appointmentId' = $1`,
    [appointmentId],
  );
  return rows.map((r) => r.doc);
}

const collect = (token: string, chargeId: string) =>
  api<{ payment: PaymentEntry; error?: { code: string } }>(server.url, `/billing/charges/${chargeId}/collect`, {
    token,
    body: {},
  });

describe('billing with Stripe', () => {
  it('two desks taking the same copay offline, then online, charge the card once', async () => {
    const visit = await visitWithCopay(2500);
    await Promise.all([deskA.awaitInSync(), deskB.awaitInSync()]);
    deskA.goOffline();
    deskB.goOffline();
    // Both desks bill the visit and try to take the copay with the network down: "collect at desk", never paid.
    const chargeId = await billOnDesk(deskA, visit);
    await billOnDesk(deskB, visit);
    await deskA.change('ledger', chargeId, { collectAtDesk: new Date().toISOString() });
    await deskB.change('ledger', chargeId, { collectAtDesk: new Date().toISOString() });

    deskA.goOnline();
    deskB.goOnline();
    await Promise.all([deskA.awaitInSync(), deskB.awaitInSync()]);
    const synced = await ledgerOf(visit.appointment.id);
    expect(synced.filter((e) => e.kind === 'charge')).toHaveLength(1);
    expect(synced.filter((e) => e.kind === 'invoice')).toHaveLength(1);
    expect(balanceOf(synced)).toMatchObject({ dueCents: 2500, paidCents: 0, collectAtDesk: 1 });
    // Billing records are patient data: each desk's push of them is in the audit log.
    const audited = await server.db.query<{ actor: string }>(
      `SELECT actor_id AS actor FROM audit_events
        WHERE collection = 'ledger' AND action = 'write' AND via = 'sync.push' AND $1::uuid = ANY(record_ids)`,
      [chargeId],
    );
    expect(new Set(audited.map((a) => a.actor)).size).toBe(2);

    // Back online, both desks collect at once: one payment (its id is the charge's), one PaymentIntent.
    const [first, second] = await Promise.all([collect(tokenA, chargeId), collect(tokenB, chargeId)]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.payment.id).toBe(paymentIdOf(chargeId));
    expect(second.body.payment.id).toBe(first.body.payment.id);
    expect(second.body.payment.stripe.url).toBe(first.body.payment.stripe.url);
    expect(stripe.paymentIntents.size).toBe(1);
    expect(stripe.checkoutSessions.size).toBe(1);
    const [intent] = [...stripe.paymentIntents.values()];
    // Stripe learns an amount and MediSync's ids; never a name.
    expect(intent!.metadata).toEqual({ chargeId, paymentId: paymentIdOf(chargeId), siteId: site.site.id });
    expect(intent!.amount).toBe(2500);

    // A retried collection (a double click, a timeout) changes nothing either.
    const retried = await collect(tokenA, chargeId);
    expect(retried.status).toBe(201);
    expect(stripe.paymentIntents.size).toBe(1);

    // The patient pays through the link; Stripe's webhook marks the payment and the invoice paid, on both desks.
    await stripe.pay(first.body.payment.stripe.checkoutSessionId!);
    const settled = await ledgerOf(visit.appointment.id);
    expect(balanceOf(settled)).toMatchObject({ dueCents: 0, paidCents: 2500 });
    expect(settled.find((e) => e.kind === 'invoice')).toMatchObject({ status: 'paid', paidCents: 2500 });
    for (const device of [deskA, deskB]) {
      await eventually(async () => {
        const payment = await device.get<PaymentEntry>('ledger', paymentIdOf(chargeId));
        expect(payment?.status).toBe('succeeded');
      });
    }
    const again = await collect(tokenB, chargeId);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('already-paid');
    expect(stripe.paymentIntents.size).toBe(1);
  }, 60_000);

  it('starts an expired payment page again, ends the old page when the copay changes, and charges once', async () => {
    const visit = await visitWithCopay(2600);
    const chargeId = await billOnDesk(deskA, visit);
    await deskA.awaitInSync();
    const first = (await collect(tokenA, chargeId)).body.payment;
    const paymentOf = async () =>
      (await ledgerOf(visit.appointment.id)).find((e): e is PaymentEntry => e.kind === 'payment')!;

    // Nobody paid within Stripe's 24 hours: the page expires, the copay is due again.
    await stripe.expire(first.stripe.checkoutSessionId!);
    expect(await paymentOf()).toMatchObject({ status: 'canceled' });
    expect(balanceOf(await ledgerOf(visit.appointment.id))).toMatchObject({ dueCents: 2600, pendingCents: 0 });
    const [again, alsoAgain] = await Promise.all([collect(tokenA, chargeId), collect(tokenB, chargeId)]);
    const second = again.body.payment;
    expect(second.stripe.checkoutSessionId).not.toBe(first.stripe.checkoutSessionId);
    expect(alsoAgain.body.payment.stripe.checkoutSessionId).toBe(second.stripe.checkoutSessionId);
    expect(await paymentOf()).toMatchObject({ id: first.id, status: 'pending' });

    // The desk corrects the copay before the patient pays: the old page is ended, a new one asks the new amount.
    await deskA.change('ledger', chargeId, { amountCents: 3100 });
    await deskA.awaitInSync();
    const third = (await collect(tokenA, chargeId)).body.payment;
    expect(third).toMatchObject({ id: first.id, amountCents: 3100, status: 'pending' });
    expect(stripe.checkoutSessions.get(second.stripe.checkoutSessionId!)?.status).toBe('expired');
    await expect(stripe.pay(second.stripe.checkoutSessionId!)).rejects.toThrow(/can no longer be paid/);
    await stripe.pay(third.stripe.checkoutSessionId!);

    expect(await paymentOf()).toMatchObject({ status: 'succeeded', amountCents: 3100 });
    const intents = [...stripe.paymentIntents.values()].filter((i) => i.metadata.chargeId === chargeId);
    expect(intents.filter((i) => i.status === 'succeeded').map((i) => i.amount)).toEqual([3100]);
  }, 30_000);

  it('a forged, stale or unsigned webhook is refused, and a repeated one changes nothing', async () => {
    const visit = await visitWithCopay(4000);
    const chargeId = await billOnDesk(deskA, visit);
    await deskA.awaitInSync();
    const { body } = await collect(tokenA, chargeId);
    const intent = stripe.paymentIntents.get(body.payment.stripe.paymentIntentId!)!;
    const succeeded = stripe.eventFor('payment_intent.succeeded', { ...intent, status: 'succeeded' });

    const forged = await stripe.deliver(succeeded, { secret: 'whsec_not_the_clinics_secret' });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body)).toMatchObject({ error: { code: 'signature-invalid' } });
    const stale = await stripe.deliver(succeeded, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(400);
    const unsigned = await fetch(`${server.url}/webhooks/stripe`, { method: 'POST', body: JSON.stringify(succeeded) });
    expect(unsigned.status).toBe(400);
    expect(balanceOf(await ledgerOf(visit.appointment.id))).toMatchObject({ dueCents: 4000, paidCents: 0 });

    const delivered = await stripe.deliver(succeeded);
    expect(JSON.parse(delivered.body)).toEqual({ received: true, outcome: 'applied' });
    const seqAfterFirst = await server.db.query<{ seq: string }>(`SELECT seq FROM ledger WHERE id = $1`, [
      body.payment.id,
    ]);
    const repeated = await stripe.deliver(succeeded);
    expect(JSON.parse(repeated.body)).toEqual({ received: true, outcome: 'repeat' });
    const seqAfterRepeat = await server.db.query<{ seq: string }>(`SELECT seq FROM ledger WHERE id = $1`, [
      body.payment.id,
    ]);
    expect(seqAfterRepeat[0]!.seq).toBe(seqAfterFirst[0]!.seq);
    expect(balanceOf(await ledgerOf(visit.appointment.id))).toMatchObject({ dueCents: 0, paidCents: 4000 });
  }, 30_000);

  it('an admin refunds part of a payment with a reason, then the rest; the balance follows', async () => {
    const visit = await visitWithCopay(3000);
    const chargeId = await billOnDesk(deskB, visit);
    await deskB.awaitInSync();
    const { body } = await collect(tokenB, chargeId);
    await stripe.pay(body.payment.stripe.checkoutSessionId!);
    const paymentId = body.payment.id;
    const refund = (token: string, amountCents: number, refundId = newId()) =>
      api<{ payment: PaymentEntry; error?: { code: string; details: unknown } }>(
        server.url,
        `/billing/payments/${paymentId}/refunds`,
        { token, body: { refundId, amountCents, reason: 'billed the wrong copay tier' } },
      );

    expect((await refund(desk, 1000)).status).toBe(403);
    const partialId = newId();
    const partial = await refund(admin, 1000, partialId);
    expect(partial.status).toBe(201);
    expect(partial.body.payment).toMatchObject({ status: 'partially-refunded', refundedCents: 1000 });
    expect(partial.body.payment.refunds[0]).toMatchObject({ amountCents: 1000, reason: 'billed the wrong copay tier' });
    // The same refund retried refunds once.
    expect((await refund(admin, 1000, partialId)).body.payment.refundedCents).toBe(1000);
    expect(stripe.refunds.size).toBe(1);
    let entries = await ledgerOf(visit.appointment.id);
    expect(balanceOf(entries)).toMatchObject({ dueCents: 0, paidCents: 3000, refundedCents: 1000 });
    expect(entries.find((e) => e.kind === 'invoice')).toMatchObject({ status: 'paid', refundedCents: 1000 });

    const tooMuch = await refund(admin, 2500);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error).toMatchObject({ code: 'refund-exceeds-payment', details: { refundableCents: 2000 } });
    const rest = await refund(admin, 2000);
    expect(rest.body.payment).toMatchObject({ status: 'refunded', refundedCents: 3000 });
    entries = await ledgerOf(visit.appointment.id);
    expect(entries.find((e) => e.kind === 'invoice')).toMatchObject({ status: 'refunded', refundedCents: 3000 });
    expect([...stripe.refunds.values()].map((r) => r.amount).sort()).toEqual([1000, 2000]);
  }, 30_000);

  it('a refund made in Stripe’s dashboard reaches the payment and the invoice, once', async () => {
    const visit = await visitWithCopay(2200);
    const chargeId = await billOnDesk(deskB, visit);
    await deskB.awaitInSync();
    const { body } = await collect(tokenB, chargeId);
    await stripe.pay(body.payment.stripe.checkoutSessionId!);
    const intentId = [...stripe.checkoutSessions.values()].find(
      (s) => s.id === body.payment.stripe.checkoutSessionId,
    )!.payment_intent;
    await stripe.refundInDashboard(intentId, 700);
    const [event] = [...stripe.refunds.values()].filter((r) => r.payment_intent === intentId);
    // Stripe delivers the same event again: nothing changes.
    await stripe.deliver(stripe.eventFor('refund.created', { ...event!, created: Math.floor(Date.now() / 1000) }));
    const entries = await ledgerOf(visit.appointment.id);
    expect(entries.find((e) => e.kind === 'payment')).toMatchObject({
      status: 'partially-refunded',
      refundedCents: 700,
      refunds: [expect.objectContaining({ amountCents: 700, by: 'stripe', stripeRefundId: event!.id })],
    });
    expect(entries.find((e) => e.kind === 'invoice')).toMatchObject({ status: 'paid', refundedCents: 700 });
  }, 30_000);

  it('a kiosk takes no payment where the clinic has not enabled it, and never collects a charge itself', async () => {
    const visit = await visitWithCopay(1200);
    const before = stripe.paymentIntents.size;
    const chargeId = await billOnDesk(deskA, visit);
    await deskA.awaitInSync();
    const kiosk = (await enrolledDevice(server, site.site.id, 'kiosk')).token;
    const offer = await api(server.url, `/billing/kiosk/appointments/${visit.appointment.id}`, { token: kiosk });
    expect(offer.body).toMatchObject({ offered: false });
    const pay = await api(server.url, `/billing/kiosk/appointments/${visit.appointment.id}/pay`, {
      token: kiosk,
      body: {},
    });
    expect(pay.status).toBe(403);
    expect((await collect(kiosk, chargeId)).status).toBe(403);
    expect(
      await api(server.url, `/billing/invoices/${invoiceIdOf(visit.appointment.id)}/pdf`, { token: kiosk }),
    ).toMatchObject({ status: 403 });
    expect(stripe.paymentIntents.size).toBe(before);
  }, 30_000);

  it("a site's own choice of kiosk payments wins over the server's default; only an admin makes it", async () => {
    const visit = await visitWithCopay(1300);
    // The patient has just checked in at the kiosk.
    const kioskActor = { id: 'kiosk-1', role: 'kiosk', source: 'kiosk' } as const;
    await writeRecords(server.db, 'appointments', [
      transitionRecord('appointments', visit.appointment, 'checked-in', clock, kioskActor),
    ]);
    const kiosk = (await enrolledDevice(server, site.site.id, 'kiosk')).token;
    const offer = () => api(server.url, `/billing/kiosk/appointments/${visit.appointment.id}`, { token: kiosk });
    const choose = async (token: string, kioskPayments: boolean) => {
      const [stored] = await server.db.query<{ doc: Site }>('SELECT doc FROM sites WHERE id = $1', [site.site.id]);
      const next = changeRecord('sites', stored!.doc, { billing: { kioskPayments } }, clock);
      return api(server.url, '/sync/sites/push', {
        token,
        body: [
          { newDocumentState: { ...next, _deleted: false }, assumedMasterState: { ...stored!.doc, _deleted: false } },
        ],
      });
    };
    // The server's default is off (KIOSK_PAYMENTS unset), and a receptionist may not change the site.
    expect((await offer()).body).toMatchObject({ offered: false });
    expect((await choose(desk, true)).status).toBe(403);
    expect((await offer()).body).toMatchObject({ offered: false });

    expect((await choose(admin, true)).body).toMatchObject({ rejected: [] });
    expect((await offer()).body).toMatchObject({ offered: true, dueCents: 1300 });
    const settings = await api(server.url, '/billing/settings', { token: admin });
    expect(settings.body).toMatchObject({ kioskPayments: true, kioskPaymentsByDefault: false });
    const pay = await api(server.url, `/billing/kiosk/appointments/${visit.appointment.id}/pay`, {
      token: kiosk,
      body: {},
    });
    expect(pay.status).toBe(201);

    await choose(admin, false);
    expect((await offer()).body).toMatchObject({ offered: false });
  }, 30_000);

  it('a desk may not record a payment or mark an invoice paid itself', async () => {
    const visit = await visitWithCopay(1500);
    const chargeId = await billOnDesk(deskA, visit);
    await deskA.change('ledger', invoiceIdOf(visit.appointment.id), { paidCents: 1500 });
    // A payment as only the server may write it, forged on the device.
    const forged = createRecord(
      'ledger',
      {
        id: paymentIdOf(chargeId),
        kind: 'payment',
        siteId: site.site.id,
        patientId: visit.patient.id,
        appointmentId: visit.appointment.id,
        chargeId,
        invoiceId: invoiceIdOf(visit.appointment.id),
        amountCents: 1500,
        currency: 'usd',
        method: 'payment-link',
        stripe: { paymentIntentId: null, checkoutSessionId: null, url: null, readerId: null },
        refunds: [],
        refundedCents: 0,
        status: 'pending',
      } as never,
      clock,
      seeder,
    );
    await deskA.save('ledger', forged as never);
    await eventually(async () => {
      const state = await deskA.state();
      expect(state.rejected.map((r) => r.id).sort()).toEqual([invoiceIdOf(visit.appointment.id), forged.id].sort());
    });
    const entries = await ledgerOf(visit.appointment.id);
    expect(entries.some((e) => e.kind === 'payment')).toBe(false);
    expect(balanceOf(entries)).toMatchObject({ dueCents: 1500, paidCents: 0 });
  }, 30_000);
});
