import { paymentEntrySchema } from '@medisync/shared/domain';
import { z } from 'zod';
import { staffRequest, type Workspace } from '../workspace.js';

/**
 * What only the server can do for billing (docs/architecture.md §9.7): start a
 * card payment through Stripe, refund one, print or email an invoice. What is due is
 * never asked here: it is in the desk's own replica of the ledger.
 */

const paymentAnswer = z.object({ payment: paymentEntrySchema.omit({ clocks: true, statusLog: true }) });
export type PaymentAnswer = z.infer<typeof paymentAnswer>['payment'];

const settingsAnswer = z.object({
  payments: z.boolean(),
  terminal: z.boolean(),
  kioskPayments: z.boolean(),
  kioskPaymentsByDefault: z.boolean(),
  currency: z.string(),
  /** Whether the server has a mail service to email invoices through. */
  email: z.boolean(),
});
export type BillingSettings = z.infer<typeof settingsAnswer>;

/** The clinic's billing currency as this desk last heard it, for records it makes offline (a new patient's account). */
const CURRENCY_KEY = 'medisync-billing-currency';

export async function billingSettings(workspace: Workspace): Promise<BillingSettings> {
  const settings = settingsAnswer.parse(await (await staffRequest(workspace, '/billing/settings')).json());
  localStorage.setItem(CURRENCY_KEY, settings.currency);
  return settings;
}

/** The billing currency last heard from the server; the server's default (usd) before that. */
export function knownCurrency(): string {
  const stored = localStorage.getItem(CURRENCY_KEY);
  return stored !== null && /^[a-z]{3}$/.test(stored) ? stored : 'usd';
}

/** Starts collecting a charge (or gets the collection already started, by any desk): a payment link or the reader. */
export async function collectCharge(workspace: Workspace, chargeId: string): Promise<PaymentAnswer> {
  const response = await staffRequest(workspace, `/billing/charges/${chargeId}/collect`, {
    method: 'POST',
    body: '{}',
  });
  return paymentAnswer.parse(await response.json()).payment;
}

export async function refundPayment(
  workspace: Workspace,
  paymentId: string,
  refund: { refundId: string; amountCents: number; reason: string },
): Promise<PaymentAnswer> {
  const response = await staffRequest(workspace, `/billing/payments/${paymentId}/refunds`, {
    method: 'POST',
    body: JSON.stringify(refund),
  });
  return paymentAnswer.parse(await response.json()).payment;
}

/** The invoice as a PDF the browser can show, print or save. */
export async function invoicePdfUrl(workspace: Workspace, invoiceId: string): Promise<string> {
  const response = await staffRequest(workspace, `/billing/invoices/${invoiceId}/pdf`);
  return URL.createObjectURL(await response.blob());
}

const emailedAnswer = z.object({ to: z.string() });

/** Emails the invoice's PDF to `to`, or to the patient's address on file; answers the address it went to. */
export async function emailInvoice(workspace: Workspace, invoiceId: string, to?: string): Promise<string> {
  const response = await staffRequest(workspace, `/billing/invoices/${invoiceId}/email`, {
    method: 'POST',
    body: JSON.stringify(to === undefined ? {} : { to }),
  });
  return emailedAnswer.parse(await response.json()).to;
}
