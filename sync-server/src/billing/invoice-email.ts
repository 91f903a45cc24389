import {
  formatMoney,
  invoiceTotal,
  reminderCatalogues,
  reminderLanguageFor,
  type InvoiceEntry,
} from '@medisync/shared/domain';
import type { EmailMessage } from '#reminders/channels/channel';
import { escape } from '#reminders/templates';
import { invoiceFileName, invoiceNumber, type InvoiceContext } from './invoice-pdf.js';

/**
 * The email that carries an invoice's PDF: the invoice's number, the clinic and
 * what is left to pay, in the patient's language (the reminders' catalogues).
 * Like the PDF's file name, it names no patient and no reason for the visit: a
 * shared inbox or a misdirected message shows nothing more.
 */
export function invoiceEmail(
  invoice: InvoiceEntry,
  context: InvoiceContext | undefined,
  pdf: Uint8Array,
): Omit<EmailMessage, 'id' | 'to'> {
  const language = reminderLanguageFor(context?.language);
  const t = reminderCatalogues[language];
  const number = invoiceNumber(invoice);
  const clinic = context?.site ?? t.yourClinic;
  const dueCents = Math.max(0, invoiceTotal(invoice) - invoice.paidCents);
  const paragraphs = [
    t.invoiceHello,
    t.invoiceAttached(number, clinic),
    dueCents > 0 ? t.invoiceDue(formatMoney(dueCents, invoice.currency, language)) : t.invoicePaid,
    t.invoiceQuestions,
  ];
  return {
    subject: t.invoiceSubject(number, clinic),
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html lang="${language}"><body>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}</body></html>`,
    attachments: [{ filename: invoiceFileName(invoice), contentType: 'application/pdf', content: Buffer.from(pdf) }],
  };
}
