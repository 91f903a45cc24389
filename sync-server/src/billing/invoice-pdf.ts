import { formatMoney, invoiceTotal, type InvoiceEntry } from '@medisync/shared/domain';
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Db } from '#db/db';

/** The invoice number people read aloud and write on a cheque: the start of the invoice's id. */
export const invoiceNumber = (invoice: Pick<InvoiceEntry, 'id'>) => `INV-${invoice.id.slice(0, 8).toUpperCase()}`;

/** The PDF's file name, the same whether downloaded at the desk or emailed. */
export const invoiceFileName = (invoice: Pick<InvoiceEntry, 'id'>) => `invoice-${invoice.id.slice(0, 8)}.pdf`;

/**
 * An invoice as a PDF, made from the invoice record alone (plus the names it
 * points at, read by `invoiceContext`): the lines, the insurance as recorded when it was billed, what
 * was paid and refunded, and what is left to pay. pdf-lib's standard fonts
 * cover Latin-1; anything else is replaced rather than failing the invoice.
 */
export async function invoicePdf(invoice: InvoiceEntry, context: InvoiceContext | undefined): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${invoiceNumber(invoice)} ${context?.site ?? ''}`.trim());
  pdf.setCreator('MediSync');
  const page = pdf.addPage([595.28, 841.89]); // A4, which US printers fit to Letter
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  const timezone = context?.timezone ?? 'UTC';
  const day = (iso: string) =>
    new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: timezone }).format(new Date(iso));

  const write = writer(page, regular, bold);
  let y = 790;
  write(context?.site ?? 'Clinic', 50, y, { size: 18, font: 'bold' });
  write('INVOICE', 430, y, { size: 18, font: 'bold' });
  y -= 26;
  write(`Invoice ${invoiceNumber(invoice)}`, 400, y);
  write(`Status: ${invoice.status}`, 400, y - 14);
  write(`Printed ${day(new Date().toISOString())}`, 400, y - 28);

  write('Bill to', 50, y, { font: 'bold' });
  write(`${context?.family ?? ''}, ${context?.given ?? ''}`.replace(/^, |, $/, '') || 'Patient', 50, y - 14);
  write(context?.mrn ?? 'MRN pending', 50, y - 28);
  y -= 58;
  if (context?.start)
    write(`Visit on ${day(context.start)}${context.provider ? ` with ${context.provider}` : ''}`, 50, y);
  y -= 16;
  if (invoice.insurance !== null) {
    const { payer, memberId, groupNumber } = invoice.insurance;
    write(`Insurance: ${payer}, member ${memberId}${groupNumber ? `, group ${groupNumber}` : ''}`, 50, y);
    y -= 16;
  }

  y -= 18;
  write('Description', 50, y, { font: 'bold' });
  write('Amount', 480, y, { font: 'bold' });
  page.drawLine({ start: { x: 50, y: y - 6 }, end: { x: 545, y: y - 6 }, thickness: 0.8, color: rgb(0.4, 0.4, 0.4) });
  y -= 24;
  for (const line of invoice.lines) {
    write(line.description, 50, y);
    write(money(line.amountCents), 480, y);
    y -= 18;
  }
  page.drawLine({ start: { x: 330, y: y + 6 }, end: { x: 545, y: y + 6 }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
  const total = invoiceTotal(invoice);
  const rows: [string, number, boolean][] = [
    ['Total', total, false],
    ['Paid', invoice.paidCents, false],
    ...(invoice.refundedCents > 0 ? ([['Refunded', invoice.refundedCents, false]] as [string, number, boolean][]) : []),
    ['Balance due', Math.max(0, total - invoice.paidCents), true],
  ];
  for (const [label, cents, strong] of rows) {
    y -= 4;
    write(label, 340, y, strong ? { font: 'bold' } : {});
    write(money(cents), 480, y, strong ? { font: 'bold' } : {});
    y -= 16;
  }
  write('Card payments are processed by Stripe; this clinic never stores card details.', 50, 60, {
    size: 8,
    color: 0.4,
  });
  return pdf.save();
}

/** What an invoice points at, as the PDF and its email show it: the clinic, the patient, the visit. */
export interface InvoiceContext {
  site: string | null;
  timezone: string | null;
  given: string | null;
  family: string | null;
  mrn: string | null;
  email: string | null;
  /** The patient's preferred language (BCP 47), for the email that carries the invoice. */
  language: string | null;
  start: string | null;
  provider: string | null;
}

export async function invoiceContext(db: Db, invoice: InvoiceEntry): Promise<InvoiceContext | undefined> {
  const [context] = await db.query<InvoiceContext>(
    `SELECT s.doc->>'name' AS site, s.doc->>'timezone' AS timezone,
            p.doc->>'givenName' AS given, p.doc->>'familyName' AS family, p.doc->>'mrn' AS mrn,
            p.doc->>'email' AS email, p.doc->>'preferredLanguage' AS language,
            a.doc->>'start' AS start, pr.doc->>'displayName' AS provider
       FROM (SELECT 1) one
       LEFT JOIN sites s ON s.id = $1
       LEFT JOIN patients p ON p.id = $2
       LEFT JOIN appointments a ON a.id = $3
       LEFT JOIN providers pr ON pr.id = (a.doc->>'providerId')::uuid`,
    [invoice.siteId, invoice.patientId, invoice.appointmentId],
  );
  return context;
}

function writer(page: PDFPage, regular: PDFFont, bold: PDFFont) {
  return (value: string, x: number, y: number, options: { size?: number; font?: 'bold'; color?: number } = {}) => {
    const font = options.font === 'bold' ? bold : regular;
    const gray = options.color ?? 0.1;
    page.drawText(latin1(value), { x, y, size: options.size ?? 10, font, color: rgb(gray, gray, gray) });
  };
}

/** Helvetica (WinAnsi) cannot draw every character; a name in another script still prints, as "?". */
function latin1(value: string): string {
  return value.normalize('NFC').replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');
}
