import { z } from 'zod';
import { idSchema } from '../ids.js';
import type { Lifecycle } from '../lifecycle.js';
import { isoDateTime, replicatedFields, statusEventSchema, text } from './common.js';

/**
 * Billing lives in one kind-discriminated collection, the ledger
 * (docs/architecture.md §9.1 and §9.7): a patient's billing account, the fee
 * schedule, the charges of a visit, its invoice, the payments that settle
 * its charges, and the insurance claim. One collection keeps the device
 * database within its collection budget; `kind` says which record it is and
 * never changes.
 *
 * Money is integer minor units (cents) with an ISO 4217 currency in lower
 * case, as Stripe spells it. Nothing here ever holds card data: Stripe keeps
 * the card, the ledger keeps Stripe's ids.
 */

export const ledgerKinds = ['account', 'fee', 'charge', 'invoice', 'payment', 'claim'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export const currencySchema = z.string().regex(/^[a-z]{3}$/, 'expected an ISO 4217 currency code in lower case');
/** At most a million in major units: a clinic visit, not a wire transfer. */
export const centsSchema = z.number().int().min(0).max(100_000_000);

const ledgerBase = {
  ...replicatedFields,
  siteId: idSchema,
};

export const insuranceAsRecordedSchema = z.object({
  payer: text.min(1).max(200),
  memberId: text.min(1).max(64),
  groupNumber: text.max(64).nullable(),
});

// ---------------------------------------------------------------------------
// Lifecycles (as data, replayed like an appointment's: docs/architecture.md §2.3)

export const invoiceStatuses = ['draft', 'open', 'paid', 'void', 'refunded'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

/**
 * An invoice is drafted at the desk (offline too), opened when the visit is
 * billed, and settled by the server: `paid` once its payments cover its
 * lines, `refunded` once those payments are refunded in full. A desk may
 * void an invoice nobody paid.
 */
export const invoiceLifecycle: Lifecycle<InvoiceStatus> = {
  name: 'invoice',
  statuses: invoiceStatuses,
  initial: ['draft', 'open'],
  transitions: {
    draft: ['open', 'void'],
    open: ['paid', 'void', 'draft'],
    paid: ['refunded', 'open'],
    void: [],
    refunded: [],
  },
  presence: [],
  absence: [],
  undo: [['open', 'draft']],
  roles: {
    admin: [
      [null, 'draft'],
      [null, 'open'],
      ['draft', 'open'],
      ['open', 'draft'],
      ['draft', 'void'],
      ['open', 'void'],
    ],
    desk: [
      [null, 'draft'],
      [null, 'open'],
      ['draft', 'open'],
      ['open', 'draft'],
      ['draft', 'void'],
      ['open', 'void'],
    ],
    // Paid and refunded follow money only the server sees move (Stripe).
    server: 'any',
    integration: [
      ['draft', 'open'],
      ['draft', 'void'],
      ['open', 'void'],
    ],
  },
};

export const paymentStatuses = [
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'partially-refunded',
  'refunded',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** A payment follows its Stripe PaymentIntent; only the server records it (docs/architecture.md §9.7). */
export const paymentLifecycle: Lifecycle<PaymentStatus> = {
  name: 'payment',
  statuses: paymentStatuses,
  initial: ['pending'],
  transitions: {
    pending: ['succeeded', 'failed', 'canceled'],
    // A declined card leaves the PaymentIntent open for another try.
    failed: ['pending', 'succeeded', 'canceled'],
    succeeded: ['partially-refunded', 'refunded'],
    'partially-refunded': ['refunded'],
    // An expired payment page, or one ended because the charge changed, is started again.
    canceled: ['pending'],
    refunded: [],
  },
  presence: [],
  absence: [],
  roles: { server: 'any' },
};

export const claimStatuses = ['draft', 'submitted', 'accepted', 'denied', 'paid'] as const;
export type ClaimStatus = (typeof claimStatuses)[number];

/**
 * An insurance claim: drafted and submitted at the desk; the payer's answer
 * (accepted, denied, paid) is recorded by an admin or an integration. A denied
 * claim may be corrected and submitted again.
 */
export const claimLifecycle: Lifecycle<ClaimStatus> = {
  name: 'claim',
  statuses: claimStatuses,
  initial: ['draft'],
  transitions: {
    draft: ['submitted'],
    submitted: ['accepted', 'denied', 'draft'],
    accepted: ['paid'],
    denied: ['submitted'],
    paid: [],
  },
  presence: [],
  absence: [],
  undo: [['submitted', 'draft']],
  roles: {
    desk: [
      [null, 'draft'],
      ['draft', 'submitted'],
      ['submitted', 'draft'],
      ['denied', 'submitted'],
    ],
    admin: 'any',
    integration: 'any',
    server: 'any',
  },
};

// ---------------------------------------------------------------------------
// Kinds

/** A patient's billing account: made with the patient (offline too), one per patient (its id derives from theirs). */
export const accountEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('account'),
  patientId: idSchema,
  currency: currencySchema,
});

/** One line of the site's fee schedule: what a visit type costs a self-paying patient. */
export const feeEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('fee'),
  visitType: text.min(1).max(64),
  description: text.trim().min(1).max(200),
  amountCents: centsSchema,
  currency: currencySchema,
  active: z.boolean(),
});

export const chargeTypes = ['copay', 'self-pay', 'balance'] as const;

/**
 * Something a patient owes for a visit. A charge is settled by at most one
 * payment (the server derives the payment's id from the charge's), so two
 * desks collecting it never charge the card twice.
 */
export const chargeEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('charge'),
  patientId: idSchema,
  appointmentId: idSchema,
  chargeType: z.enum(chargeTypes),
  description: text.trim().min(1).max(200),
  amountCents: centsSchema,
  currency: currencySchema,
  /** When a payment was attempted without the network: the desk collects once back online. Never "paid". */
  collectAtDesk: isoDateTime.nullable(),
  voided: z.boolean(),
});

export const invoiceLineSchema = z.object({
  chargeId: idSchema,
  description: text.trim().min(1).max(200),
  amountCents: centsSchema,
});

/** The invoice of one visit: its charges as lines, the insurance as recorded at billing, what was paid and refunded. */
export const invoiceEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('invoice'),
  patientId: idSchema,
  appointmentId: idSchema,
  currency: currencySchema,
  lines: z.array(invoiceLineSchema).max(50),
  insurance: insuranceAsRecordedSchema.nullable(),
  /** Written by the server from the invoice's payments. */
  paidCents: centsSchema,
  refundedCents: centsSchema,
  /** Derived from statusLog. */
  status: z.enum(invoiceStatuses),
  statusLog: z.array(statusEventSchema(invoiceStatuses)).min(1).max(100),
});

export const refundSchema = z.object({
  /** Made by whoever asks for the refund; Stripe's idempotency key, so a retried refund refunds once. */
  id: idSchema,
  amountCents: centsSchema.min(1),
  reason: text.trim().min(1).max(500),
  by: text.min(1).max(100),
  at: isoDateTime,
  stripeRefundId: text.max(255).nullable(),
});
export type Refund = z.infer<typeof refundSchema>;

/** Money moved by Stripe for one charge. Server-written only; card data never appears here. */
export const paymentEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('payment'),
  patientId: idSchema,
  appointmentId: idSchema,
  chargeId: idSchema,
  invoiceId: idSchema.nullable(),
  amountCents: centsSchema.min(1),
  currency: currencySchema,
  method: z.enum(['terminal', 'payment-link']),
  stripe: z.object({
    paymentIntentId: text.max(255).nullable(),
    checkoutSessionId: text.max(255).nullable(),
    /** The Stripe-hosted page a patient pays on, shown as a QR code. */
    url: z.url().max(2000).nullable(),
    readerId: text.max(255).nullable(),
  }),
  refunds: z.array(refundSchema).max(50),
  refundedCents: centsSchema,
  /** Derived from statusLog. */
  status: z.enum(paymentStatuses),
  statusLog: z.array(statusEventSchema(paymentStatuses)).min(1).max(100),
});

/** An insurance claim for an insured visit. */
export const claimEntrySchema = z.object({
  ...ledgerBase,
  kind: z.literal('claim'),
  patientId: idSchema,
  appointmentId: idSchema,
  invoiceId: idSchema,
  /** The provider who saw the patient: the claim's billing provider. */
  providerId: idSchema,
  insurance: insuranceAsRecordedSchema,
  currency: currencySchema,
  billedCents: centsSchema,
  /** The payer's answer. */
  approvedCents: centsSchema.nullable(),
  payerPaidCents: centsSchema.nullable(),
  denialReason: text.max(500).nullable(),
  /** Derived from statusLog. */
  status: z.enum(claimStatuses),
  statusLog: z.array(statusEventSchema(claimStatuses)).min(1).max(100),
});

export const ledgerEntrySchema = z.discriminatedUnion('kind', [
  accountEntrySchema,
  feeEntrySchema,
  chargeEntrySchema,
  invoiceEntrySchema,
  paymentEntrySchema,
  claimEntrySchema,
]);
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type AccountEntry = z.infer<typeof accountEntrySchema>;
export type FeeEntry = z.infer<typeof feeEntrySchema>;
export type ChargeEntry = z.infer<typeof chargeEntrySchema>;
export type InvoiceEntry = z.infer<typeof invoiceEntrySchema>;
export type PaymentEntry = z.infer<typeof paymentEntrySchema>;
export type ClaimEntry = z.infer<typeof claimEntrySchema>;
