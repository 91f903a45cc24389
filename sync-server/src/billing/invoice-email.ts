import { formatMoney, invoiceTotal, type InvoiceEntry } from '@medisync/shared/domain';
import type { EmailMessage } from '#reminders/channels/channel';
import { escape } from '#reminders/templates';
import { invoiceFileName, invoiceNumber, type InvoiceContext } from './invoice-pdf.js';

/**
 * The email that carries an invoice's PDF: the invoice's number, the clinic and
 * what is left to pay. Like the PDF's file name, it names no patient and no
 * reason for the visit: a shared inbox or a misdirected message shows nothing more.
 */
export function invoiceEmail(
  invoice: InvoiceEntry,
  context: InvoiceContext | undefined,
  pdf: Uint8Array,
): Omit<EmailMessage, 'id' | 'to'> {
  const number = invoiceNumber(invoice);
  const clinic = context?.site ?? 'your clinic';
  const dueCents = Math.max(0, invoiceTotal(invoice) - invoice.paidCents);
  const paragraphs = [
    'Hello,',
    `Attached is invoice ${number} from ${clinic}.`,
    dueCents > 0
      ? `Balance due: ${formatMoney(dueCents, invoice.currency)}.`
      : 'This invoice is paid in full; keep it for your records.',
    'If anything on it looks wrong, please contact the clinic.',
  ];
  return {
    subject: `Invoice ${number} from ${clinic}`,
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html><body>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}</body></html>`,
    attachments: [{ filename: invoiceFileName(invoice), contentType: 'application/pdf', content: Buffer.from(pdf) }],
  };
}
