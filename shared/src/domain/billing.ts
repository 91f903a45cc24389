import { changeRecord, createRecord, transitionRecord, type Actor, type NewRecord } from './records.js';
import type { HybridClock } from './hlc.js';
import type { Appointment } from './schemas/appointment.js';
import { centsSchema } from './schemas/ledger.js';
import type {
  AccountEntry,
  ChargeEntry,
  ClaimEntry,
  FeeEntry,
  InvoiceEntry,
  LedgerEntry,
  PaymentEntry,
} from './schemas/ledger.js';
import type { Patient } from './schemas/patient.js';
import type { Site } from './schemas/site.js';
import { nameBasedId } from './ids.js';

/**
 * Billing rules every replica and the server share (docs/architecture.md §9.7):
 * which ledger records a visit has, what is due, paid and refunded.
 */

/**
 * The id of a record there is exactly one of per something else (a patient's
 * account, a visit's copay, invoice and claim, a charge's payment): a
 * name-based id (ids.ts). Two desks creating the same visit's copay offline
 * make the same record, which merges into one, instead of two charges to
 * collect; the server finds a charge's payment by the charge's id alone.
 */
export function ledgerId(...name: string[]): string {
  return nameBasedId('ledger', ...name);
}

export const accountIdOf = (patientId: string) => ledgerId('account', patientId);
export const copayChargeIdOf = (appointmentId: string) => ledgerId('charge', 'copay', appointmentId);
export const selfPayChargeIdOf = (appointmentId: string) => ledgerId('charge', 'self-pay', appointmentId);
export const invoiceIdOf = (appointmentId: string) => ledgerId('invoice', appointmentId);
export const claimIdOf = (appointmentId: string) => ledgerId('claim', appointmentId);
/** One payment per charge: the server decides by the charge's id, so a charge is never collected twice. */
export const paymentIdOf = (chargeId: string) => ledgerId('payment', chargeId);
/** A fee added for a visit type: two admins adding it offline make one. */
export const feeIdOf = (siteId: string, visitType: string) => ledgerId('fee', siteId, visitType);

/** Payments that moved money (refunds are then counted apart). */
const SETTLED: readonly PaymentEntry['status'][] = ['succeeded', 'partially-refunded', 'refunded'];
export const isSettled = (payment: PaymentEntry) => SETTLED.includes(payment.status);

export interface Balance {
  /** What the patient owes and has not paid yet. */
  dueCents: number;
  paidCents: number;
  refundedCents: number;
  /** Being paid right now (a payment link open, a card on the reader). */
  pendingCents: number;
  /** Due charges that a desk tried to collect without the network. */
  collectAtDesk: number;
  currency: string | null;
}

/**
 * Due, paid and refunded over some ledger entries (a visit's, a patient's). A
 * charge counts as paid once its payment succeeded; a refund gives money back
 * without making the charge due again (the clinic chose to return it).
 */
export function balanceOf(entries: readonly LedgerEntry[]): Balance {
  const charges = entries.filter((e): e is ChargeEntry => e.kind === 'charge' && !e.voided);
  const payments = new Map(
    entries.filter((e): e is PaymentEntry => e.kind === 'payment').map((p) => [p.chargeId, p] as const),
  );
  const balance: Balance = {
    dueCents: 0,
    paidCents: 0,
    refundedCents: 0,
    pendingCents: 0,
    collectAtDesk: 0,
    currency: charges[0]?.currency ?? null,
  };
  for (const charge of charges) {
    const payment = payments.get(charge.id);
    if (payment && isSettled(payment)) {
      balance.paidCents += payment.amountCents;
      balance.refundedCents += payment.refundedCents;
      continue;
    }
    if (payment?.status === 'pending') balance.pendingCents += charge.amountCents;
    balance.dueCents += charge.amountCents;
    if (charge.collectAtDesk !== null && charge.amountCents > 0) balance.collectAtDesk += 1;
  }
  return balance;
}

/** What a charge still needs: nothing once its payment succeeded. */
export function chargeIsDue(charge: ChargeEntry, payment: PaymentEntry | undefined): boolean {
  return !charge.voided && charge.amountCents > 0 && !(payment && isSettled(payment));
}

/** The first charge among some ledger entries (a visit's) still to collect, if any. */
export function dueChargeOf(entries: readonly LedgerEntry[]): ChargeEntry | undefined {
  const payments = new Map(
    entries.filter((e): e is PaymentEntry => e.kind === 'payment').map((p) => [p.chargeId, p] as const),
  );
  return entries.find((e): e is ChargeEntry => e.kind === 'charge' && chargeIsDue(e, payments.get(e.id)));
}

/** An invoice's total: the sum of its lines. */
export const invoiceTotal = (invoice: Pick<InvoiceEntry, 'lines'>) =>
  invoice.lines.reduce((sum, line) => sum + line.amountCents, 0);

/**
 * What the server writes on an invoice from its payments: paid and refunded
 * amounts and the status they call for (null: leave the status as it is).
 */
export function invoiceSettlement(
  invoice: InvoiceEntry,
  payments: readonly PaymentEntry[],
): { paidCents: number; refundedCents: number; status: InvoiceEntry['status'] | null } {
  const settled = payments.filter((p) => isSettled(p) && invoice.lines.some((l) => l.chargeId === p.chargeId));
  const paidCents = settled.reduce((sum, p) => sum + p.amountCents, 0);
  const refundedCents = settled.reduce((sum, p) => sum + p.refundedCents, 0);
  const total = invoiceTotal(invoice);
  let status: InvoiceEntry['status'] | null = null;
  if (invoice.status === 'open' && total > 0 && paidCents >= total) status = 'paid';
  if (invoice.status === 'paid' && paidCents > 0 && refundedCents >= paidCents) status = 'refunded';
  return { paidCents, refundedCents, status };
}

/** A patient's billing account, made with the patient on whichever device registers them (offline too). */
export function newAccount(
  patient: Pick<Patient, 'id' | 'siteId'>,
  currency: string,
  clock: HybridClock,
  actor: Actor,
): AccountEntry {
  return createRecord(
    'ledger',
    { id: accountIdOf(patient.id), kind: 'account', siteId: patient.siteId, patientId: patient.id, currency } as never,
    clock,
    actor,
  ) as AccountEntry;
}

export interface VisitBillingInput {
  appointment: Pick<Appointment, 'id' | 'siteId' | 'patientId' | 'visitType' | 'copayCents'>;
  patient: Pick<Patient, 'id' | 'insurance'>;
  /** The site's fee schedule. */
  fees: readonly FeeEntry[];
  /** Ledger entries already held for this patient (the account) and visit. */
  existing: readonly LedgerEntry[];
  currency: string;
}

/**
 * The ledger records a visit still lacks, made on whichever device bills it
 * (offline too): the patient's account, the copay (from the appointment) or,
 * for a patient without insurance, the self-pay fee of the visit type, and the
 * visit's invoice listing them, with the insurance as recorded now. Ids derive
 * from the patient and the visit, so two desks billing one visit make the
 * same records.
 */
export function planVisitBilling(input: VisitBillingInput, clock: HybridClock, actor: Actor): LedgerEntry[] {
  const { appointment, patient, currency } = input;
  const held = new Set(input.existing.map((e) => e.id));
  const base = { siteId: appointment.siteId, patientId: patient.id };
  const made: LedgerEntry[] = [];
  const make = (fields: Record<string, unknown>) => {
    const id = fields.id as string;
    if (held.has(id)) return;
    made.push(createRecord('ledger', fields as unknown as NewRecord<'ledger'>, clock, actor));
  };
  make({ id: accountIdOf(patient.id), kind: 'account', ...base, currency } satisfies Omit<AccountEntry, Managed>);

  const charges = input.existing.filter((e): e is ChargeEntry => e.kind === 'charge');
  const visit = { ...base, appointmentId: appointment.id, currency, collectAtDesk: null, voided: false };
  const fee = input.fees.find((f) => f.active && f.visitType === appointment.visitType);
  const planned: Omit<ChargeEntry, Managed>[] = [];
  if ((appointment.copayCents ?? 0) > 0) {
    planned.push({
      id: copayChargeIdOf(appointment.id),
      kind: 'charge',
      ...visit,
      chargeType: 'copay',
      description: 'Copay',
      amountCents: appointment.copayCents!,
    });
  } else if (patient.insurance === null && fee !== undefined && fee.amountCents > 0) {
    planned.push({
      id: selfPayChargeIdOf(appointment.id),
      kind: 'charge',
      ...visit,
      chargeType: 'self-pay',
      description: fee.description,
      amountCents: fee.amountCents,
      currency: fee.currency,
    });
  }
  for (const charge of planned) make(charge);

  const lines = [...charges.filter((c) => !c.voided), ...planned.filter((c) => !held.has(c.id))].map((c) => ({
    chargeId: c.id,
    description: c.description,
    amountCents: c.amountCents,
  }));
  if (lines.length > 0) {
    make({
      id: invoiceIdOf(appointment.id),
      kind: 'invoice',
      ...base,
      appointmentId: appointment.id,
      currency,
      lines,
      insurance: patient.insurance,
      paidCents: 0,
      refundedCents: 0,
      status: 'open',
    });
  }
  return made;
}

type Managed = 'clocks' | 'attention' | 'needsAttention';

/** A claim for an insured visit, drafted from its invoice; null when the visit was billed without insurance. */
export function draftClaim(
  invoice: InvoiceEntry,
  providerId: string,
  clock: HybridClock,
  actor: Actor,
): ClaimEntry | null {
  if (invoice.insurance === null) return null;
  return createRecord(
    'ledger',
    {
      id: claimIdOf(invoice.appointmentId),
      kind: 'claim',
      siteId: invoice.siteId,
      patientId: invoice.patientId,
      appointmentId: invoice.appointmentId,
      invoiceId: invoice.id,
      providerId,
      insurance: invoice.insurance,
      currency: invoice.currency,
      billedCents: invoiceTotal(invoice),
      approvedCents: null,
      payerPaidCents: null,
      denialReason: null,
      status: 'draft',
    } as unknown as NewRecord<'ledger'>,
    clock,
    actor,
  ) as ClaimEntry;
}

/**
 * Whether a site's kiosks offer to pay the copay after check-in: the site's own
 * choice, or for a site that never made one, the server's default
 * (`KIOSK_PAYMENTS`). Either way only where the server can take card payments.
 */
export function kioskPaymentsAt(
  site: Pick<Site, 'billing'>,
  server: { cardPayments: boolean; kioskPaymentsByDefault: boolean },
): boolean {
  return server.cardPayments && (site.billing?.kioskPayments ?? server.kioskPaymentsByDefault);
}

/** The payer's answer to a submitted claim, as its remittance advice says it. */
export type ClaimAnswer =
  | { outcome: 'accepted'; approvedCents: number }
  | { outcome: 'denied'; reason: string }
  | { outcome: 'paid'; payerPaidCents: number; approvedCents?: number };

/**
 * Records the payer's answer on a claim, in one write: accepted for the amount
 * approved, denied with the payer's reason, or paid. A remittance that comes
 * with the money also accepts a claim still waiting, for the amount approved
 * or else for what was paid. Throws (DomainError) where the claim's lifecycle
 * or the actor's role does not allow the step: only admins and integrations
 * record answers.
 */
export function answerClaim(claim: ClaimEntry, answer: ClaimAnswer, clock: HybridClock, actor: Actor): ClaimEntry {
  const step = (current: ClaimEntry, patch: Partial<ClaimEntry>, to: ClaimEntry['status']) =>
    transitionRecord('ledger', changeRecord('ledger', current, patch as never, clock), to, clock, actor) as ClaimEntry;
  switch (answer.outcome) {
    case 'accepted':
      return step(claim, { approvedCents: answer.approvedCents }, 'accepted');
    case 'denied':
      return step(claim, { denialReason: answer.reason }, 'denied');
    case 'paid': {
      const accepted =
        claim.status === 'accepted'
          ? claim
          : step(claim, { approvedCents: answer.approvedCents ?? answer.payerPaidCents }, 'accepted');
      return step(accepted, { payerPaidCents: answer.payerPaidCents }, 'paid');
    }
  }
}

/**
 * An amount as staff type it ("95", "95.5", "$1,250.00", "€12.50") in minor units, or
 * null when it is not one: negative, more than two decimals, or beyond what
 * the ledger holds.
 */
export function parseMoney(typed: string): number | null {
  const match = /^[$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(typed.trim());
  if (match === null) return null;
  const cents = Number(match[1]!.replaceAll(',', '')) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return centsSchema.safeParse(cents).success ? cents : null;
}

/** "$12.50": amounts as a receptionist reads them aloud, in the clinic's locale. */
export function formatMoney(cents: number, currency: string, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}
