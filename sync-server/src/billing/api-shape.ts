import {
  centsSchema,
  claimEntrySchema,
  invoiceEntrySchema,
  invoiceTotal,
  paymentEntrySchema,
  type InvoiceEntry,
  type LedgerEntry,
} from '@medisync/shared/domain';
import { z } from 'zod';
import { toApi } from '#api/records';

/** What the API shows of billing records: without the replicas' clocks and status logs; an invoice with its totals. */
const INTERNAL = { clocks: true, statusLog: true } as const;
export const billingApiSchemas = {
  invoice: invoiceEntrySchema
    .omit(INTERNAL)
    .extend({ totalCents: centsSchema, dueCents: centsSchema })
    .meta({ id: 'Invoice' }),
  payment: paymentEntrySchema.omit(INTERNAL).meta({ id: 'Payment' }),
  claim: claimEntrySchema.omit(INTERNAL).meta({ id: 'Claim' }),
};

export function invoiceToApi(invoice: InvoiceEntry) {
  const totalCents = invoiceTotal(invoice);
  return { ...toApi(invoice as never), totalCents, dueCents: Math.max(0, totalCents - invoice.paidCents) };
}

/** Any ledger record as REST answers it (and webhooks carry it): an invoice with its totals. */
export function ledgerToApi(entry: LedgerEntry): Record<string, unknown> {
  return entry.kind === 'invoice' ? invoiceToApi(entry) : (toApi(entry as never) as Record<string, unknown>);
}

/** Where to email an invoice: the patient's address on file unless the caller gives another (not stored). */
export const invoiceEmailRequest = z
  .object({ to: z.email({ error: 'expected an email address' }).max(254).optional() })
  .default({});

/** An invoice's PDF handed to the mail service, and to whom. */
export const invoiceEmailSent = z
  .object({
    invoiceId: z.uuid(),
    patientId: z.uuid(),
    to: z.string(),
    /** `on-file`: the patient's address; `given`: the one in the request. */
    recipient: z.enum(['on-file', 'given']),
    sentAt: z.iso.datetime(),
  })
  .meta({ id: 'InvoiceEmailSent' });
export type InvoiceEmailSent = z.infer<typeof invoiceEmailSent>;
