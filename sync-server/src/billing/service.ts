import {
  changeRecord,
  claimIdOf,
  createRecord,
  DomainError,
  draftClaim,
  invoiceIdOf,
  invoiceSettlement,
  isSettled,
  ledgerEntrySchema,
  ledgerId,
  paymentIdOf,
  planVisitBilling,
  transitionRecord,
  type Actor,
  type Appointment,
  type ChargeEntry,
  type ClaimEntry,
  type FeeEntry,
  type InvoiceEntry,
  type LedgerEntry,
  type NewRecord,
  type Patient,
  type PaymentEntry,
  type Refund,
} from '@medisync/shared/domain';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AuditLog } from '#audit/audit-log';
import type { Db, Tx } from '#db/db';
import { HttpError } from '#http/errors';
import { serverClock, serverRules } from '#sync/rules';
import { pushRecords } from '#sync/store';
import { recordWebhookEvents } from '#webhooks/events';
import { PermanentSendError, type EmailChannel } from '#reminders/channels/channel';
import type { InvoiceEmailSent } from './api-shape.js';
import { invoiceEmail } from './invoice-email.js';
import { invoiceContext, invoicePdf } from './invoice-pdf.js';
import { isStripeError, type StripeEvent, type StripeGateway } from './stripe-gateway.js';

export interface BillingDeps {
  db: Db;
  log: Logger;
  io: Server;
  audit?: AuditLog;
  /** The reminders' email channel, which sends invoices too; none: email is not set up. */
  email?: EmailChannel | null;
}

/** How many payment locks this process holds at once (each holds a pooled connection); the rest wait their turn. */
const lockSlots = (() => {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    async take(limit: number): Promise<void> {
      if (held < limit) {
        held += 1;
        return;
      }
      // Handed over by `give`, which keeps `held` as it is.
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    give(): void {
      const next = waiting.shift();
      if (next) next();
      else held -= 1;
    },
  };
})();

/** The server's own steps in payment lifecycles: it alone sees Stripe's answer. */
const SERVER: Actor = { id: 'server:billing', role: 'server', source: 'server' };

/**
 * Collections, refunds and Stripe's events (docs/architecture.md §9.7). Every
 * change is written through `pushRecords`, like a device's push: the site lock,
 * the merge, the webhook outbox, then live to every device of the site.
 */
export class BillingService {
  constructor(
    private readonly deps: BillingDeps,
    private readonly gateway: StripeGateway | null,
  ) {}

  get configured(): boolean {
    return this.gateway !== null;
  }

  get emailConfigured(): boolean {
    return (this.deps.email ?? null) !== null;
  }

  /**
   * Starts collecting a charge, or returns the collection already started:
   * the payment's id derives from the charge's, and Stripe's idempotency key
   * too, so two desks (or a retried request) get one PaymentIntent and one payment.
   */
  async collect(
    siteId: string,
    chargeId: string,
    options: { returnUrl?: string | null } = {},
  ): Promise<{ payment: PaymentEntry; charge: ChargeEntry }> {
    const gateway = this.requireGateway();
    const charge = await this.readEntry(siteId, chargeId, 'charge');
    if (charge.voided || charge.amountCents === 0) {
      throw new HttpError(409, 'nothing-due', 'this charge has nothing to collect');
    }
    const paymentId = paymentIdOf(charge.id);
    // One collection of a charge at a time, across instances: a second desk waits and gets the first one's.
    return this.withPaymentLock(paymentId, () => this.startOrReuse(siteId, charge, paymentId, gateway, options));
  }

  private async startOrReuse(
    siteId: string,
    charge: ChargeEntry,
    paymentId: string,
    gateway: StripeGateway,
    options: { returnUrl?: string | null },
  ): Promise<{ payment: PaymentEntry; charge: ChargeEntry }> {
    const existing = await this.findEntry(siteId, paymentId, 'payment');
    if (existing !== null && isSettled(existing)) {
      throw new HttpError(409, 'already-paid', 'this charge is already paid', { paymentId: existing.id });
    }
    // A payment under way for the charge's current amount is the collection: every desk gets the same one.
    const changed = existing !== null && existing.amountCents !== charge.amountCents;
    if (existing !== null && existing.status === 'failed' && !changed && existing.stripe.readerId !== null) {
      return { payment: await this.retryOnReader(siteId, existing, gateway), charge };
    }
    if (existing !== null && existing.status !== 'canceled' && !changed) return { payment: existing, charge };
    let startedBefore: string | null = null;
    if (existing !== null) {
      // Its page expired, or the charge's amount changed since: end the old one so it cannot be paid,
      // and start anew under keys that name it, so two desks restarting it still start one.
      startedBefore = existing.stripe.checkoutSessionId ?? existing.stripe.paymentIntentId;
      if (existing.status !== 'canceled') {
        await gateway.endCollection(existing.stripe).catch((error: unknown) => {
          throw stripeFailure(error, this.deps.log, { chargeId: charge.id });
        });
      }
    }
    const email = await this.deps.db.query<{ email: string | null }>(
      `SELECT doc->>'email' AS email FROM patients WHERE id = $1`,
      [charge.patientId],
    );
    let started;
    try {
      started = await gateway.startCollection(
        { chargeId: charge.id, paymentId, siteId },
        { cents: charge.amountCents, currency: charge.currency, description: charge.description },
        { receiptEmail: email[0]?.email ?? null, returnUrl: options.returnUrl ?? null, startedBefore },
      );
    } catch (error) {
      throw stripeFailure(error, this.deps.log, { chargeId: charge.id });
    }
    const method = started.readerId === null ? 'payment-link' : 'terminal';
    const payment = domain(() =>
      existing !== null
        ? restarted(existing, { amountCents: charge.amountCents, method, stripe: started })
        : (createRecord(
            'ledger',
            {
              id: paymentId,
              kind: 'payment',
              siteId,
              patientId: charge.patientId,
              appointmentId: charge.appointmentId,
              chargeId: charge.id,
              invoiceId: invoiceIdOf(charge.appointmentId),
              amountCents: charge.amountCents,
              currency: charge.currency,
              method,
              stripe: started,
              refunds: [],
              refundedCents: 0,
              status: 'pending',
            } as unknown as NewRecord<'ledger'>,
            serverClock,
            SERVER,
          ) as PaymentEntry),
    );
    const [stored] = await this.write(siteId, [payment]);
    return { payment: stored as PaymentEntry, charge };
  }

  /** A card declined on the reader: the same PaymentIntent goes to the reader again, and the payment waits again. */
  private async retryOnReader(siteId: string, payment: PaymentEntry, gateway: StripeGateway): Promise<PaymentEntry> {
    const declines = payment.statusLog.filter((e) => e.to === 'failed').length;
    try {
      await gateway.retryOnReader(
        { chargeId: payment.chargeId, paymentId: payment.id, siteId },
        payment.stripe.paymentIntentId!,
        payment.stripe.readerId!,
        declines,
      );
    } catch (error) {
      throw stripeFailure(error, this.deps.log, { chargeId: payment.chargeId });
    }
    const [stored] = await this.write(siteId, [domain(() => moveTo(payment, 'pending'))]);
    return stored as PaymentEntry;
  }

  /**
   * Runs `work` holding a PostgreSQL advisory lock on one payment (on every
   * instance): a collection, a refund and Stripe's events about the payment
   * each read and write it in turn, so none writes over a state it did not see
   * (an old page's expiry landing on the page that replaced it).
   */
  private async withPaymentLock<T>(paymentId: string, work: () => Promise<T>): Promise<T> {
    // The lock holds a pooled connection while `work` writes through others: never let it hold the whole pool.
    await lockSlots.take(Math.max(1, Math.min(3, (this.deps.db.pool.options.max ?? 10) - 2)));
    try {
      const lock = await this.deps.db.pool.connect();
      try {
        await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 7275))', [paymentId]);
        return await work();
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 7275))', [paymentId]).catch(() => undefined);
        lock.release();
      }
    } finally {
      lockSlots.give();
    }
  }

  /**
   * Bills a visit on the server, as a desk would (the same `planVisitBilling`):
   * for a kiosk, which holds no ledger, and for the API. Records a desk made
   * already are kept; ids derive from the visit, so nothing is billed twice.
   */
  async billVisit(siteId: string, appointmentId: string, currency: string): Promise<LedgerEntry[]> {
    const [row] = await this.deps.db.query<{ appointment: Appointment; patient: Patient | null }>(
      `SELECT a.doc AS appointment, p.doc AS patient FROM appointments a
         LEFT JOIN patients p ON p.id = (a.doc->>'patientId')::uuid
        WHERE a.id = $1 AND NOT a.deleted AND a.site_ids @> ARRAY[$2::uuid]`,
      [appointmentId, siteId],
    );
    if (row === undefined) throw new HttpError(404, 'not-found', `no appointment ${appointmentId} at this site`);
    if (row.patient === null)
      throw new HttpError(409, 'patient-missing', 'the visit’s patient is not on the server yet');
    const held = await this.deps.db.query<{ doc: LedgerEntry }>(
      `SELECT doc FROM ledger WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]
          AND (doc->>'appointmentId' = $2 OR (doc->>'kind' = 'account' AND doc->>'patientId' = $3)
               OR doc->>'kind' = 'fee')`,
      [siteId, appointmentId, row.patient.id],
    );
    const entries = held.map((r) => r.doc);
    const made = planVisitBilling(
      {
        appointment: row.appointment,
        patient: row.patient,
        fees: entries.filter((e): e is FeeEntry => e.kind === 'fee'),
        existing: entries.filter((e) => e.kind !== 'fee'),
        currency,
      },
      serverClock,
      SERVER,
    );
    if (made.length > 0) await this.write(siteId, made);
    return [...entries.filter((e) => e.kind !== 'fee'), ...made].filter(
      (e) => 'appointmentId' in e && e.appointmentId === appointmentId,
    );
  }

  /**
   * Drafts the insurance claim of an insured visit from its invoice (the
   * insurance as recorded there); the claim's id derives from the visit, so a
   * second request returns the same claim.
   */
  async draftClaim(siteId: string, invoiceId: string, actor: Actor): Promise<ClaimEntry> {
    const invoice = await this.readEntry(siteId, invoiceId, 'invoice');
    const existing = await this.findEntry(siteId, claimIdOf(invoice.appointmentId), 'claim');
    if (existing !== null) return existing;
    const [visit] = await this.deps.db.query<{ providerId: string }>(
      `SELECT doc->>'providerId' AS "providerId" FROM appointments WHERE id = $1`,
      [invoice.appointmentId],
    );
    if (visit === undefined) throw new HttpError(409, 'visit-missing', 'the invoice’s visit is not on the server');
    const claim = domain(() => draftClaim(invoice, visit.providerId, serverClock, actor));
    if (claim === null) {
      throw new HttpError(409, 'not-insured', 'this visit was billed without insurance: there is nobody to claim from');
    }
    const [stored] = await this.write(siteId, [claim]);
    return stored as ClaimEntry;
  }

  /**
   * Moves a claim along its lifecycle (submitted, the payer's answer: accepted
   * or denied, then paid) with the amounts that answer carries, in one write.
   */
  async moveClaim(
    siteId: string,
    claimId: string,
    step: {
      status: ClaimEntry['status'];
      approvedCents?: number | null | undefined;
      payerPaidCents?: number | null | undefined;
      denialReason?: string | null | undefined;
    },
    actor: Actor,
  ): Promise<ClaimEntry> {
    const current = await this.readEntry(siteId, claimId, 'claim');
    const { status, ...amounts } = step;
    const patch = Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== undefined));
    const next = domain(() => {
      const changed = changeRecord('ledger', current, patch as never, serverClock) as ClaimEntry;
      return changed.status === status
        ? changed
        : (transitionRecord('ledger', changed, status, serverClock, actor) as ClaimEntry);
    });
    const [stored] = await this.write(siteId, [next]);
    return stored as ClaimEntry;
  }

  /** Refunds part or all of a payment, with the admin's reason; a retried refund (same id) refunds once. */
  async refund(
    siteId: string,
    paymentId: string,
    request: { refundId: string; amountCents: number; reason: string },
    by: string,
  ): Promise<PaymentEntry> {
    const gateway = this.requireGateway();
    const payment = await this.readEntry(siteId, paymentId, 'payment');
    if (payment.refunds.some((r) => r.id === request.refundId)) return payment;
    if (!isSettled(payment) || payment.stripe.paymentIntentId === null) {
      throw new HttpError(409, 'not-refundable', `a ${payment.status} payment cannot be refunded`);
    }
    const left = payment.amountCents - payment.refundedCents;
    if (request.amountCents > left) {
      throw new HttpError(409, 'refund-exceeds-payment', `at most ${left} cents of this payment are left to refund`, {
        refundableCents: left,
      });
    }
    let result;
    try {
      result = await gateway.refund(payment.stripe.paymentIntentId, request.refundId, request.amountCents, {
        paymentId,
        siteId,
      });
    } catch (error) {
      throw stripeFailure(error, this.deps.log, { paymentId });
    }
    const refund: Refund = {
      id: request.refundId,
      amountCents: request.amountCents,
      reason: request.reason,
      by,
      at: new Date().toISOString(),
      stripeRefundId: result.stripeRefundId,
    };
    // Read again: a webhook may have moved the payment while Stripe answered.
    const [stored] = await this.updatePayment(siteId, paymentId, (current) => withRefund(current, refund));
    return stored as PaymentEntry;
  }

  /**
   * Emails an invoice's PDF to the patient: to the address on file, or to one
   * the caller gives (used once, not stored: the patient's record is changed
   * at the desk). Sent at once rather than queued like a reminder, so the desk
   * learns whether it went. The log gets ids only: a mail server's refusal may
   * quote the address, so its words go to the caller alone.
   */
  async emailInvoice(siteId: string, invoiceId: string, to: string | undefined): Promise<InvoiceEmailSent> {
    const channel = this.deps.email ?? null;
    if (channel === null) {
      throw new HttpError(503, 'email-not-configured', 'email is not set up on this server (REMINDER_EMAIL)');
    }
    const invoice = await this.readEntry(siteId, invoiceId, 'invoice');
    const context = await invoiceContext(this.deps.db, invoice);
    const address = to ?? (context?.email || null);
    if (address === null) {
      throw new HttpError(409, 'no-email', 'the patient has no email address on file; give the address to send it to');
    }
    const message = invoiceEmail(invoice, context, await invoicePdf(invoice, context));
    try {
      await channel.send({ id: randomUUID(), to: address, ...message });
    } catch (error) {
      const permanent = error instanceof PermanentSendError;
      this.deps.log.warn({ invoiceId, provider: channel.provider, permanent }, 'invoice email not sent');
      throw permanent
        ? new HttpError(502, 'email-refused', `the mail service refused the message: ${(error as Error).message}`)
        : new HttpError(502, 'email-unreachable', 'the mail service could not be reached; try again in a moment');
    }
    return {
      invoiceId,
      patientId: invoice.patientId,
      to: address,
      recipient: to === undefined ? 'on-file' : 'given',
      sentAt: new Date().toISOString(),
    };
  }

  /**
   * Applies one verified Stripe event, once: its id is recorded in the
   * transaction that applies it, and a repeated delivery finds it there and
   * changes nothing. Events that name no MediSync payment are acknowledged and ignored.
   */
  async applyEvent(event: StripeEvent): Promise<'applied' | 'repeat' | 'ignored'> {
    const seen = await this.deps.db.query(`SELECT 1 FROM stripe_events WHERE id = $1`, [event.id]);
    if (seen.length > 0) return 'repeat';
    const target = paymentOfEvent(event) ?? (await this.refundMadeInStripe(event));
    if (target === null) {
      await this.deps.db.query(`INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        event.id,
        event.type,
      ]);
      return 'ignored';
    }
    const record = (tx: Tx) =>
      tx.query(`INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [event.id, event.type]);
    await this.updatePayment(target.siteId, target.paymentId, (payment) => target.apply(payment), record);
    this.deps.log.info(
      { stripeEvent: event.id, type: event.type, paymentId: target.paymentId },
      'stripe event applied',
    );
    return 'applied';
  }

  /**
   * A refund made in Stripe's dashboard rather than through MediSync: recorded
   * on its payment (found by its PaymentIntent) like any refund, once, keyed by
   * Stripe's refund id. MediSync's own refunds carry their id in metadata and
   * are recorded by the request that made them, with the admin's reason.
   */
  private async refundMadeInStripe(event: StripeEvent) {
    if (event.type !== 'refund.created' && event.type !== 'refund.updated') return null;
    const refund = event.data.object;
    const intentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
    if (refund.status !== 'succeeded' || intentId === undefined || refund.metadata?.refundId !== undefined) return null;
    const [row] = await this.deps.db.query<{ id: string; siteId: string }>(
      `SELECT id, doc->>'siteId' AS "siteId" FROM ledger
        WHERE doc->>'kind' = 'payment' AND doc#>>'{stripe,paymentIntentId}' = $1 AND NOT deleted`,
      [intentId],
    );
    if (row === undefined) return null;
    const entry: Refund = {
      id: ledgerId('refund', refund.id),
      amountCents: refund.amount,
      reason: `Refunded in Stripe${refund.reason ? ` (${refund.reason.replace(/_/g, ' ')})` : ''}`,
      by: 'stripe',
      at: new Date(refund.created * 1000).toISOString(),
      stripeRefundId: refund.id,
    };
    return { siteId: row.siteId, paymentId: row.id, apply: (payment: PaymentEntry) => withRefund(payment, entry) };
  }

  /**
   * Changes a payment and settles its invoice from it, in one write, so the
   * invoice's paid and refunded amounts never disagree with its payments.
   */
  private async updatePayment(
    siteId: string,
    paymentId: string,
    change: (payment: PaymentEntry) => PaymentEntry,
    beforeCommit?: (tx: Tx) => Promise<unknown>,
  ): Promise<LedgerEntry[]> {
    return this.withPaymentLock(paymentId, () => this.changePayment(siteId, paymentId, change, beforeCommit));
  }

  private async changePayment(
    siteId: string,
    paymentId: string,
    change: (payment: PaymentEntry) => PaymentEntry,
    beforeCommit?: (tx: Tx) => Promise<unknown>,
  ): Promise<LedgerEntry[]> {
    const payment = change(await this.readEntry(siteId, paymentId, 'payment'));
    const written: LedgerEntry[] = [payment];
    const invoice = payment.invoiceId ? await this.findEntry(siteId, payment.invoiceId, 'invoice') : null;
    if (invoice !== null) {
      const others = (
        await this.deps.db.query<{ doc: PaymentEntry }>(
          `SELECT doc FROM ledger WHERE NOT deleted AND doc->>'kind' = 'payment' AND doc->>'invoiceId' = $1 AND id <> $2`,
          [invoice.id, payment.id],
        )
      ).map((r) => r.doc);
      written.push(settle(invoice, [payment, ...others]));
    }
    return this.write(siteId, written, beforeCommit);
  }

  private async write(
    siteId: string,
    entries: LedgerEntry[],
    beforeCommit?: (tx: Tx) => Promise<unknown>,
  ): Promise<LedgerEntry[]> {
    const result = await pushRecords(
      this.deps.db,
      'ledger',
      entries.map((e) => ({ newDocumentState: e as never })),
      {
        rules: serverRules,
        afterWrite: recordWebhookEvents,
        ...(beforeCommit ? { beforeCommit: async (tx: Tx) => void (await beforeCommit(tx)) } : {}),
      },
    );
    if (result.rejected.length > 0) {
      const { error } = result.rejected[0]!;
      throw new HttpError(422, error.code, error.message, error.details);
    }
    const stored = new Map(result.changes.flatMap((c) => c.records).map((r) => [r.doc.id, r.doc]));
    return Promise.all(
      entries.map(async (e) => {
        const doc = stored.get(e.id) ?? (await this.readEntry(siteId, e.id, e.kind));
        const { _deleted, ...rest } = doc as LedgerEntry & { _deleted?: boolean };
        void _deleted;
        return rest as LedgerEntry;
      }),
    );
  }

  async readEntry<K extends LedgerEntry['kind']>(
    siteId: string,
    id: string,
    kind: K,
  ): Promise<Extract<LedgerEntry, { kind: K }>> {
    const entry = await this.findEntry(siteId, id, kind);
    if (entry === null) throw new HttpError(404, 'not-found', `no ${kind} ${id} at this site`);
    return entry;
  }

  async findEntry<K extends LedgerEntry['kind']>(
    siteId: string,
    id: string,
    kind: K,
  ): Promise<Extract<LedgerEntry, { kind: K }> | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.deps.db.query<{ doc: LedgerEntry }>(
      `SELECT doc FROM ledger WHERE id = $1 AND NOT deleted AND site_ids @> ARRAY[$2::uuid] AND doc->>'kind' = $3`,
      [id, siteId, kind],
    );
    return (rows[0]?.doc as Extract<LedgerEntry, { kind: K }> | undefined) ?? null;
  }

  private requireGateway(): StripeGateway {
    if (this.gateway === null) {
      throw new HttpError(
        503,
        'payments-not-configured',
        'card payments are not set up on this server (STRIPE_SECRET_KEY)',
      );
    }
    return this.gateway;
  }
}

/** The payment a Stripe event is about (by the ids MediSync put in its metadata) and what it does to it. */
function paymentOfEvent(
  event: StripeEvent,
): { siteId: string; paymentId: string; apply: (payment: PaymentEntry) => PaymentEntry } | null {
  const object = event.data.object as unknown as {
    id: string;
    metadata?: Record<string, string> | null;
    payment_intent?: string | { id: string } | null;
    payment_status?: string;
  };
  const siteId = object.metadata?.siteId;
  const paymentId = object.metadata?.paymentId;
  if (siteId === undefined || paymentId === undefined) return null;
  const intentId = (fallback: string | null) =>
    typeof object.payment_intent === 'string' ? object.payment_intent : (object.payment_intent?.id ?? fallback);
  // An event about a page or intent the payment has since left (expired, replaced) changes nothing.
  const session = (apply: (p: PaymentEntry) => PaymentEntry) => (p: PaymentEntry) =>
    p.stripe.checkoutSessionId === object.id ? apply(p) : p;
  const intent = (apply: (p: PaymentEntry) => PaymentEntry) => (p: PaymentEntry) =>
    p.stripe.paymentIntentId === null || p.stripe.paymentIntentId === object.id ? apply(p) : p;
  switch (event.type) {
    case 'checkout.session.completed':
      if (object.payment_status !== 'paid') return null;
      return { siteId, paymentId, apply: session((p) => succeeded(p, intentId(p.stripe.paymentIntentId))) };
    case 'checkout.session.expired':
      return { siteId, paymentId, apply: session((p) => moveTo(p, 'canceled')) };
    case 'payment_intent.succeeded':
      return { siteId, paymentId, apply: intent((p) => succeeded(p, object.id)) };
    case 'payment_intent.payment_failed':
      return { siteId, paymentId, apply: intent((p) => moveTo(p, 'failed')) };
    case 'payment_intent.canceled':
      return { siteId, paymentId, apply: intent((p) => moveTo(p, 'canceled')) };
    default:
      return null;
  }
}

/** A payment started again (a new page, a new amount): pending once more, under its new Stripe ids. */
function restarted(payment: PaymentEntry, next: Pick<PaymentEntry, 'amountCents' | 'method' | 'stripe'>): PaymentEntry {
  const changed = changeRecord('ledger', payment, next as never, serverClock) as PaymentEntry;
  return changed.status === 'pending' ? changed : moveTo(changed, 'pending');
}

function succeeded(payment: PaymentEntry, paymentIntentId: string | null): PaymentEntry {
  const withIntent =
    paymentIntentId !== null && payment.stripe.paymentIntentId !== paymentIntentId
      ? (changeRecord(
          'ledger',
          payment,
          { stripe: { ...payment.stripe, paymentIntentId } } as never,
          serverClock,
        ) as PaymentEntry)
      : payment;
  return moveTo(withIntent, 'succeeded');
}

/** A step the payment can still make; a late or repeated event (a failure after success) changes nothing. */
function moveTo(payment: PaymentEntry, to: PaymentEntry['status']): PaymentEntry {
  if (payment.status === to) return payment;
  try {
    return transitionRecord('ledger', payment, to, serverClock, SERVER) as PaymentEntry;
  } catch (error) {
    if (error instanceof DomainError) return payment;
    throw error;
  }
}

function withRefund(payment: PaymentEntry, refund: Refund): PaymentEntry {
  const known = (r: Refund) =>
    r.id === refund.id || (refund.stripeRefundId !== null && r.stripeRefundId === refund.stripeRefundId);
  if (payment.refunds.some(known) || !isSettled(payment)) return payment;
  const refundedCents = payment.refundedCents + refund.amountCents;
  const changed = changeRecord(
    'ledger',
    payment,
    { refunds: [...payment.refunds, refund], refundedCents } as never,
    serverClock,
  ) as PaymentEntry;
  return moveTo(changed, refundedCents >= payment.amountCents ? 'refunded' : 'partially-refunded');
}

/** The invoice's paid and refunded amounts and status, from its payments. */
function settle(invoice: InvoiceEntry, payments: PaymentEntry[]): InvoiceEntry {
  const settlement = invoiceSettlement(invoice, payments);
  let next = changeRecord(
    'ledger',
    invoice,
    { paidCents: settlement.paidCents, refundedCents: settlement.refundedCents } as never,
    serverClock,
  ) as InvoiceEntry;
  if (settlement.status !== null && settlement.status !== next.status) {
    next = transitionRecord('ledger', next, settlement.status, serverClock, SERVER) as InvoiceEntry;
  }
  return ledgerEntrySchema.parse(next) as InvoiceEntry;
}

function stripeFailure(error: unknown, log: Logger, ids: Record<string, string>): HttpError {
  if (isStripeError(error)) {
    // Stripe's message names the problem (a declined card, a reader offline) and never carries card data.
    log.warn({ ...ids, stripeCode: error.code, stripeType: error.type }, 'stripe refused a request');
    const status = error.type === 'StripeCardError' ? 402 : 502;
    return new HttpError(status, 'stripe-error', error.message, { stripeCode: error.code ?? null });
  }
  log.warn({ ...ids, err: String(error) }, 'stripe unreachable');
  return new HttpError(
    502,
    'stripe-unreachable',
    'Stripe could not be reached; try again or collect at the desk later',
  );
}

function domain<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError) throw new HttpError(409, error.code, error.message, error.details);
    throw error;
  }
}
