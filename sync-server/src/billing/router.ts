import {
  balanceOf,
  centsSchema,
  dueChargeOf,
  kioskPaymentsAt,
  text,
  type LedgerEntry,
  type Site,
} from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { actorOf, type AuditLog } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal, type AuthDeps } from '#auth/authenticate';
import type { Db } from '#db/db';
import { toApi } from '#api/records';
import { HttpError, parseOrThrow } from '#http/errors';
import { invoiceEmailRequest } from './api-shape.js';
import type { BillingConfig } from './config.js';
import { invoiceContext, invoiceFileName, invoicePdf } from './invoice-pdf.js';
import type { BillingService } from './service.js';
import { isSignatureError, type StripeGateway } from './stripe-gateway.js';

export interface BillingRouterDeps extends AuthDeps {
  db: Db;
  audit: AuditLog;
  billing: BillingService;
  config: BillingConfig;
}

const idParam = z.object({ id: z.uuid() });
const collectBody = z.object({
  /** Where Stripe's hosted page sends the patient after paying; Stripe's own confirmation page when absent. */
  returnUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
const refundBody = z.object({
  /** Made by the caller (a UUID): a retried refund with the same id refunds once. */
  refundId: z.uuid(),
  amountCents: centsSchema.min(1),
  reason: text.trim().min(1).max(500),
});

/**
 * `/billing` (docs/architecture.md §9.7): what the desk and kiosk ask the server
 * because only it talks to Stripe and the mail service. Reading what is due
 * never needs it: that is in every staff replica's ledger.
 */
export function billingRouter(deps: BillingRouterDeps): express.Router {
  const router = express.Router();
  const staff = requirePrincipal(deps, ['admin', 'desk']);

  router.get('/settings', requirePrincipal(deps), async (_req, res) => {
    res.json({
      payments: deps.billing.configured,
      terminal: deps.config.stripe?.terminalReaderId !== undefined,
      kioskPayments: await kioskPaymentsOffered(deps, principalOf(res).siteId),
      kioskPaymentsByDefault: deps.config.kioskPayments,
      email: deps.billing.emailConfigured,
      currency: deps.config.currency,
    });
  });

  /** Starts (or returns the already started) collection of a charge: a payment link, or the card reader. */
  router.post('/charges/:id/collect', staff, async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'charge id');
    const body = parseOrThrow(collectBody, req.body ?? {}, 'collect request');
    const { payment } = await deps.billing.collect(principal.siteId, id, { returnUrl: body.returnUrl ?? null });
    await audit(deps, req, principal, 'write', [payment.id, payment.chargeId], 'POST /billing/charges/:id/collect');
    res.status(201).json({ payment: toApi(payment as never) });
  });

  router.post('/payments/:id/refunds', requirePrincipal(deps, ['admin']), async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'payment id');
    const body = parseOrThrow(refundBody, req.body, 'refund');
    const payment = await deps.billing.refund(principal.siteId, id, body, principal.id);
    await audit(deps, req, principal, 'write', [payment.id], 'POST /billing/payments/:id/refunds');
    res.status(201).json({ payment: toApi(payment as never) });
  });

  router.get('/invoices/:id/pdf', staff, async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'invoice id');
    const invoice = await deps.billing.readEntry(principal.siteId, id, 'invoice');
    const pdf = await invoicePdf(invoice, await invoiceContext(deps.db, invoice));
    await audit(deps, req, principal, 'read', [invoice.id, invoice.patientId], 'GET /billing/invoices/:id/pdf');
    res
      .type('application/pdf')
      .setHeader('content-disposition', `inline; filename="${invoiceFileName(invoice)}"`)
      .send(Buffer.from(pdf));
  });

  /** Emails the invoice's PDF to the patient (docs/architecture.md §9.7): the address on file, or one the desk gives. */
  router.post('/invoices/:id/email', staff, async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'invoice id');
    const body = parseOrThrow(invoiceEmailRequest, req.body, 'invoice email');
    const sent = await deps.billing.emailInvoice(principal.siteId, id, body.to);
    await audit(deps, req, principal, 'read', [id, sent.patientId], 'POST /billing/invoices/:id/email', {
      emailedTo: sent.recipient,
    });
    res.json(sent);
  });

  /**
   * What a kiosk offers after check-in (docs/architecture.md §9.7): the visit's amount
   * due and, once the patient chooses to pay, the payment link. A kiosk holds
   * no ledger (it holds one day of appointments, minimised), so it asks here,
   * online only; offline it sends the patient to the desk. Only a visit just
   * checked in, at the kiosk's own site, and only where the clinic allows it.
   */
  router.get('/kiosk/appointments/:id', requirePrincipal(deps, ['kiosk']), async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'appointment id');
    if (!(await kioskPaymentsOffered(deps, principal.siteId))) {
      res.json({ offered: false, dueCents: 0, currency: deps.config.currency, payment: null });
      return;
    }
    const copay = await checkedInCopay(deps.db, principal.siteId, id);
    const entries = await visitEntries(deps.db, principal.siteId, id);
    const billed = entries.some((e) => e.kind === 'charge');
    const balance = balanceOf(entries);
    res.json({
      offered: true,
      dueCents: billed ? balance.dueCents : copay,
      paidCents: balance.paidCents,
      currency: balance.currency ?? deps.config.currency,
      payment: kioskPayment(entries),
    });
  });

  router.post('/kiosk/appointments/:id/pay', requirePrincipal(deps, ['kiosk']), async (req, res) => {
    const principal = principalOf(res);
    const { id } = parseOrThrow(idParam, req.params, 'appointment id');
    if (!(await kioskPaymentsOffered(deps, principal.siteId)))
      throw new HttpError(403, 'forbidden', 'this clinic takes payments at the desk only');
    await checkedInCopay(deps.db, principal.siteId, id);
    const entries = await deps.billing.billVisit(principal.siteId, id, deps.config.currency);
    const charge = dueChargeOf(entries);
    if (charge === undefined) throw new HttpError(409, 'nothing-due', 'nothing is due for this visit');
    const { payment } = await deps.billing.collect(principal.siteId, charge.id);
    await audit(deps, req, principal, 'write', [payment.id, charge.id], 'POST /billing/kiosk/appointments/:id/pay');
    res.status(201).json({ payment: kioskPayment([payment]) });
  });

  return router;
}

/**
 * `POST /webhooks/stripe`: Stripe's events, checked against the signature over
 * the raw body (so it must be mounted before any JSON parser), at most five
 * minutes old, each applied once.
 */
export function stripeWebhookHandler(deps: {
  gateway: StripeGateway | null;
  billing: BillingService;
}): express.RequestHandler[] {
  return [
    express.raw({ type: '*/*', limit: '1mb' }),
    async (req, res) => {
      if (deps.gateway === null) throw new HttpError(404, 'not-found', 'card payments are not set up on this server');
      const signature = req.header('stripe-signature');
      if (signature === undefined) throw new HttpError(400, 'signature-missing', 'no Stripe-Signature header');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let event;
      try {
        event = deps.gateway.verifyEvent(raw, signature);
      } catch (error) {
        if (isSignatureError(error)) {
          throw new HttpError(
            400,
            'signature-invalid',
            'the Stripe signature does not match this body, or it is too old',
          );
        }
        throw new HttpError(400, 'invalid-event', 'the body is not a Stripe event');
      }
      const outcome = await deps.billing.applyEvent(event);
      res.json({ received: true, outcome });
    },
  ];
}

async function visitEntries(db: Db, siteId: string, appointmentId: string): Promise<LedgerEntry[]> {
  const rows = await db.query<{ doc: LedgerEntry }>(
    `SELECT doc FROM ledger WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'appointmentId' = $2`,
    [siteId, appointmentId],
  );
  return rows.map((r) => r.doc);
}

/** The copay of a visit at the site that is checked in now (the kiosk's step comes after check-in), or a 404/409. */
async function checkedInCopay(db: Db, siteId: string, appointmentId: string): Promise<number> {
  const [row] = await db.query<{ status: string; copay: number | null }>(
    `SELECT doc->>'status' AS status, (doc->>'copayCents')::int AS copay FROM appointments
      WHERE id = $1 AND NOT deleted AND site_ids @> ARRAY[$2::uuid]`,
    [appointmentId, siteId],
  );
  if (row === undefined) throw new HttpError(404, 'not-found', `no appointment ${appointmentId} at this site`);
  if (row.status !== 'checked-in' && row.status !== 'arrived') {
    throw new HttpError(409, 'not-checked-in', 'a kiosk takes a payment only for a visit it has just checked in');
  }
  return row.copay ?? 0;
}

/** What a kiosk sees of a visit's payment: whether it is paid and the link to pay; nothing else. */
function kioskPayment(entries: LedgerEntry[]) {
  const payment = entries.find((e): e is Extract<LedgerEntry, { kind: 'payment' }> => e.kind === 'payment');
  return payment === undefined
    ? null
    : {
        id: payment.id,
        status: payment.status,
        url: payment.stripe.url,
        amountCents: payment.amountCents,
        currency: payment.currency,
      };
}

async function audit(
  deps: BillingRouterDeps,
  req: express.Request,
  principal: Parameters<typeof actorOf>[0],
  action: 'read' | 'write',
  recordIds: string[],
  via: string,
  details?: Record<string, unknown>,
) {
  await deps.audit.record({
    actor: actorOf(principal),
    action,
    collection: 'ledger',
    recordIds,
    via,
    ...requestOrigin(req),
    ...(details ? { details } : {}),
  });
}

/** Whether the kiosks of a site offer to pay the copay after check-in: the site's choice, else the server's default. */
async function kioskPaymentsOffered(deps: BillingRouterDeps, siteId: string): Promise<boolean> {
  const [site] = await deps.db.query<{ doc: Pick<Site, 'billing'> }>('SELECT doc FROM sites WHERE id = $1', [siteId]);
  return (
    site !== undefined &&
    kioskPaymentsAt(site.doc, {
      cardPayments: deps.billing.configured,
      kioskPaymentsByDefault: deps.config.kioskPayments,
    })
  );
}
