import { describe, expect, it } from 'vitest';
import {
  accountIdOf,
  answerClaim,
  balanceOf,
  copayChargeIdOf,
  draftClaim,
  invoiceSettlement,
  ledgerId,
  newAccount,
  parseMoney,
  planVisitBilling,
  selfPayChargeIdOf,
} from './billing.js';
import { HybridClock } from './hlc.js';
import { idSchema } from './ids.js';
import { changeRecord, createRecord, transitionRecord, type Actor, type NewRecord } from './records.js';
import type { ChargeEntry, ClaimEntry, FeeEntry, InvoiceEntry, LedgerEntry, PaymentEntry } from './schemas/ledger.js';

const SITE = '0190a000-0000-7000-8000-000000000001';
const PATIENT = '0190a000-0000-7000-8000-000000000003';
const APPOINTMENT = '0190a000-0000-7000-8000-000000000008';
const desk: Actor = { id: 'desk-a', role: 'desk', source: 'desk' };
const server: Actor = { id: 'server', role: 'server', source: 'server' };

const appointment = (copayCents: number | null) => ({
  id: APPOINTMENT,
  siteId: SITE,
  patientId: PATIENT,
  visitType: 'follow-up',
  copayCents,
});
const insured = { id: PATIENT, insurance: { payer: 'Acme Health', memberId: 'X1', groupNumber: null } };
const uninsured = { id: PATIENT, insurance: null };
const fee = (clock: HybridClock) =>
  createRecord(
    'ledger',
    {
      id: ledgerId('fee', 'follow-up'),
      kind: 'fee',
      siteId: SITE,
      visitType: 'follow-up',
      description: 'Follow-up visit',
      amountCents: 9500,
      currency: 'usd',
      active: true,
    } as unknown as NewRecord<'ledger'>,
    clock,
    server,
  ) as FeeEntry;

describe('billing a visit', () => {
  it('gives records there is one of per thing the same valid id on every device', () => {
    expect(idSchema.safeParse(ledgerId('charge', 'copay', APPOINTMENT)).success).toBe(true);
    expect(ledgerId('charge', 'copay', APPOINTMENT)).toBe(copayChargeIdOf(APPOINTMENT));
    expect(copayChargeIdOf(APPOINTMENT)).not.toBe(selfPayChargeIdOf(APPOINTMENT));
    expect(accountIdOf(PATIENT)[14]).toBe('8');
  });

  it('bills the copay with its invoice; two desks billing offline make the same records', () => {
    const planned = (node: string) =>
      planVisitBilling(
        { appointment: appointment(2500), patient: insured, fees: [], existing: [], currency: 'usd' },
        new HybridClock(node),
        desk,
      );
    const [a, b] = [planned('desk-a'), planned('desk-b')];
    expect(a.map((e) => e.kind)).toEqual(['account', 'charge', 'invoice']);
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a.find((e) => e.kind === 'invoice')).toMatchObject({
      status: 'open',
      lines: [{ chargeId: copayChargeIdOf(APPOINTMENT), description: 'Copay', amountCents: 2500 }],
      insurance: insured.insurance,
    });
  });

  it('bills a patient without insurance the visit type’s fee, and an insured one without copay nothing', () => {
    const clock = new HybridClock('desk-a');
    const selfPay = planVisitBilling(
      { appointment: appointment(null), patient: uninsured, fees: [fee(clock)], existing: [], currency: 'usd' },
      clock,
      desk,
    );
    expect(selfPay.find((e) => e.kind === 'charge')).toMatchObject({
      chargeType: 'self-pay',
      amountCents: 9500,
      description: 'Follow-up visit',
    });
    const covered = planVisitBilling(
      { appointment: appointment(0), patient: insured, fees: [fee(clock)], existing: [], currency: 'usd' },
      clock,
      desk,
    );
    expect(covered.map((e) => e.kind)).toEqual(['account']);
  });

  it('adds nothing a visit already has', () => {
    const clock = new HybridClock('desk-a');
    const first = planVisitBilling(
      { appointment: appointment(2500), patient: insured, fees: [], existing: [], currency: 'usd' },
      clock,
      desk,
    );
    const again = planVisitBilling(
      { appointment: appointment(2500), patient: insured, fees: [], existing: first, currency: 'usd' },
      clock,
      desk,
    );
    expect(again).toEqual([]);
    expect(newAccount({ id: PATIENT, siteId: SITE }, 'usd', clock, desk).id).toBe(first[0]!.id);
  });
});

describe('what is due, paid and refunded', () => {
  const clock = new HybridClock('server');
  const [, charge, invoice] = planVisitBilling(
    { appointment: appointment(3000), patient: insured, fees: [], existing: [], currency: 'usd' },
    clock,
    desk,
  ) as [LedgerEntry, ChargeEntry, InvoiceEntry];
  const payment = createRecord(
    'ledger',
    {
      id: ledgerId('payment', charge.id),
      kind: 'payment',
      siteId: SITE,
      patientId: PATIENT,
      appointmentId: APPOINTMENT,
      chargeId: charge.id,
      invoiceId: invoice.id,
      amountCents: 3000,
      currency: 'usd',
      method: 'payment-link',
      stripe: { paymentIntentId: 'pi_1', checkoutSessionId: 'cs_1', url: null, readerId: null },
      refunds: [],
      refundedCents: 0,
      status: 'pending',
    } as unknown as NewRecord<'ledger'>,
    clock,
    server,
  ) as PaymentEntry;
  const succeeded = transitionRecord('ledger', payment, 'succeeded', clock, server) as PaymentEntry;
  const refunded = (cents: number, to: PaymentEntry['status']) =>
    transitionRecord(
      'ledger',
      changeRecord('ledger', succeeded, { refundedCents: cents } as never, clock),
      to,
      clock,
      server,
    ) as PaymentEntry;

  it('keeps a charge due while its payment is pending or a desk could only note it offline', () => {
    const offline = changeRecord('ledger', charge, { collectAtDesk: '2026-11-30T15:00:00.000Z' } as never, clock);
    expect(balanceOf([offline, invoice])).toMatchObject({ dueCents: 3000, paidCents: 0, collectAtDesk: 1 });
    expect(balanceOf([charge, invoice, payment])).toMatchObject({ dueCents: 3000, pendingCents: 3000, paidCents: 0 });
  });

  it('settles the invoice: paid, then refunded in full; a partial refund leaves it paid', () => {
    expect(balanceOf([charge, succeeded])).toMatchObject({ dueCents: 0, paidCents: 3000, refundedCents: 0 });
    expect(invoiceSettlement(invoice, [succeeded])).toEqual({ paidCents: 3000, refundedCents: 0, status: 'paid' });
    const paid = transitionRecord('ledger', invoice, 'paid', clock, server) as InvoiceEntry;
    const partly = refunded(1000, 'partially-refunded');
    expect(balanceOf([charge, partly])).toMatchObject({ dueCents: 0, paidCents: 3000, refundedCents: 1000 });
    expect(invoiceSettlement(paid, [partly])).toEqual({ paidCents: 3000, refundedCents: 1000, status: null });
    expect(invoiceSettlement(paid, [refunded(3000, 'refunded')])).toMatchObject({ status: 'refunded' });
  });

  it('lets only the server mark money moved', () => {
    expect(() => transitionRecord('ledger', payment, 'succeeded', clock, desk)).toThrow(/may not/);
    expect(() => transitionRecord('ledger', invoice, 'paid', clock, desk)).toThrow(/may not/);
  });
});

describe("the insurer's answer to a claim", () => {
  const admin: Actor = { id: 'admin-1', role: 'admin', source: 'desk' };
  const drafted = (clock: HybridClock) => {
    const invoice = planVisitBilling(
      { appointment: appointment(2500), patient: insured, fees: [], existing: [], currency: 'usd' },
      clock,
      desk,
    ).find((e): e is InvoiceEntry => e.kind === 'invoice')!;
    return draftClaim(invoice, '0190a000-0000-7000-8000-000000000009', clock, desk)!;
  };
  const submitted = () => {
    const clock = new HybridClock('desk-a');
    return transitionRecord('ledger', drafted(clock), 'submitted', clock, desk) as ClaimEntry;
  };

  it('records an acceptance with its amount, a denial with its reason, and a payment', () => {
    const clock = new HybridClock('admin');
    expect(answerClaim(submitted(), { outcome: 'accepted', approvedCents: 2000 }, clock, admin)).toMatchObject({
      status: 'accepted',
      approvedCents: 2000,
      payerPaidCents: null,
    });
    expect(answerClaim(submitted(), { outcome: 'denied', reason: 'Not covered' }, clock, admin)).toMatchObject({
      status: 'denied',
      denialReason: 'Not covered',
    });
    const accepted = answerClaim(submitted(), { outcome: 'accepted', approvedCents: 2000 }, clock, admin);
    expect(answerClaim(accepted, { outcome: 'paid', payerPaidCents: 1800 }, clock, admin)).toMatchObject({
      status: 'paid',
      approvedCents: 2000,
      payerPaidCents: 1800,
    });
  });

  it('accepts a waiting claim that a remittance pays outright, for what it paid unless an amount was approved', () => {
    const clock = new HybridClock('admin');
    const paid = answerClaim(submitted(), { outcome: 'paid', payerPaidCents: 1500 }, clock, admin);
    expect(paid).toMatchObject({ status: 'paid', approvedCents: 1500, payerPaidCents: 1500 });
    expect(paid.statusLog.map((e) => e.to)).toEqual(['draft', 'submitted', 'accepted', 'paid']);
    expect(
      answerClaim(submitted(), { outcome: 'paid', payerPaidCents: 1500, approvedCents: 2000 }, clock, admin),
    ).toMatchObject({ approvedCents: 2000, payerPaidCents: 1500 });
  });

  it('lets only admins record an answer, and never on a claim not yet submitted', () => {
    const clock = new HybridClock('desk-a');
    expect(() => answerClaim(submitted(), { outcome: 'accepted', approvedCents: 2000 }, clock, desk)).toThrow();
    expect(() => answerClaim(drafted(clock), { outcome: 'denied', reason: 'x' }, clock, admin)).toThrow();
  });
});

describe('amounts as staff type them', () => {
  it.each([
    ['95', 9500],
    ['95.5', 9550],
    ['95.05', 9505],
    ['$1,250.00', 125000],
    ['€12.50', 1250],
    [' 0 ', 0],
  ])('reads %j as %i cents', (typed, cents) => {
    expect(parseMoney(typed)).toBe(cents);
  });

  it.each(['', 'ninety', '-5', '12.345', '1,25', '12.', '1000001'])('refuses %j', (typed) => {
    expect(parseMoney(typed)).toBeNull();
  });
});
