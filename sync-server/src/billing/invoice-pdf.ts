import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import {
  formatMoney,
  invoiceTotal,
  reminderCatalogues,
  reminderLanguageFor,
  type InvoiceEntry,
  type ReminderCatalogue,
} from '@medisync/shared/domain';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Db } from '#db/db';

/** The invoice number people read aloud and write on a cheque: the start of the invoice's id. */
export const invoiceNumber = (invoice: Pick<InvoiceEntry, 'id'>) => `INV-${invoice.id.slice(0, 8).toUpperCase()}`;

/** The PDF's file name, the same whether downloaded at the desk or emailed. */
export const invoiceFileName = (invoice: Pick<InvoiceEntry, 'id'>) => `invoice-${invoice.id.slice(0, 8)}.pdf`;

/**
 * An invoice as a PDF, made from the invoice record alone (plus the names it
 * points at, read by `invoiceContext`): the lines, the insurance as recorded
 * when it was billed, what was paid and refunded, and what is left to pay; in
 * the patient's language, dates and amounts as they write them. It is
 * written in Noto Sans (embedded whole: pdf-lib's subsetting dropped most of its glyphs), which writes every
 * Latin, Greek and Cyrillic script, Vietnamese included, but not Chinese: a
 * language it cannot write prints in English, and a letter of a name it has
 * not is printed as "?" rather than failing the invoice.
 */
export async function invoicePdf(invoice: InvoiceEntry, context: InvoiceContext | undefined): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const fonts = await notoSans();
  const regular = await pdf.embedFont(fonts.regular, { subset: false });
  const bold = await pdf.embedFont(fonts.bold, { subset: false });
  const writable = new Set([...regular.getCharacterSet(), ...bold.getCharacterSet()]);
  const canWrite = (text: string) =>
    [...text.normalize('NFC')].every((c) => c === '\n' || writable.has(c.codePointAt(0)!));
  const wanted = reminderLanguageFor(context?.language);
  const language = canWrite(labelText(reminderCatalogues[wanted].invoicePdf)) ? wanted : 'en';
  const t = reminderCatalogues[language].invoicePdf;
  pdf.setTitle(`${invoiceNumber(invoice)} ${context?.site ?? ''}`.trim());
  pdf.setLanguage(language);
  pdf.setCreator('MediSync');
  const page = pdf.addPage([595.28, 841.89]); // A4, which US printers fit to Letter
  const money = (cents: number) => formatMoney(cents, invoice.currency, language);
  const timezone = context?.timezone ?? 'UTC';
  const day = (iso: string) =>
    new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: timezone }).format(new Date(iso));

  const write = writer(page, regular, bold, (text) =>
    [...text.normalize('NFC')].map((c) => (writable.has(c.codePointAt(0)!) ? c : '?')).join(''),
  );
  const RIGHT = 545;
  let y = 790;
  write(context?.site ?? t.clinic, 50, y, { size: 18, font: 'bold' });
  write(t.title, RIGHT, y, { size: 18, font: 'bold', align: 'right' });
  y -= 26;
  write(t.number(invoiceNumber(invoice)), RIGHT, y, { align: 'right' });
  write(t.statusLine(t.status[invoice.status]), RIGHT, y - 14, { align: 'right' });
  write(t.printed(day(new Date().toISOString())), RIGHT, y - 28, { align: 'right' });

  write(t.billTo, 50, y, { font: 'bold' });
  write(`${context?.family ?? ''}, ${context?.given ?? ''}`.replace(/^, |, $/, '') || t.patient, 50, y - 14);
  write(context?.mrn ?? t.mrnPending, 50, y - 28);
  y -= 58;
  if (context?.start) write(t.visit(day(context.start), context.provider), 50, y);
  y -= 16;
  if (invoice.insurance !== null) {
    const { payer, memberId, groupNumber } = invoice.insurance;
    write(t.insurance(payer, memberId, groupNumber), 50, y);
    y -= 16;
  }

  y -= 18;
  write(t.description, 50, y, { font: 'bold' });
  write(t.amount, RIGHT, y, { font: 'bold', align: 'right' });
  page.drawLine({ start: { x: 50, y: y - 6 }, end: { x: RIGHT, y: y - 6 }, thickness: 0.8, color: rgb(0.4, 0.4, 0.4) });
  y -= 24;
  for (const line of invoice.lines) {
    write(line.description, 50, y);
    write(money(line.amountCents), RIGHT, y, { align: 'right' });
    y -= 18;
  }
  page.drawLine({
    start: { x: 330, y: y + 6 },
    end: { x: RIGHT, y: y + 6 },
    thickness: 0.5,
    color: rgb(0.6, 0.6, 0.6),
  });
  const total = invoiceTotal(invoice);
  const rows: [string, number, boolean][] = [
    [t.total, total, false],
    [t.paid, invoice.paidCents, false],
    ...(invoice.refundedCents > 0 ? ([[t.refunded, invoice.refundedCents, false]] as [string, number, boolean][]) : []),
    [t.balanceDue, Math.max(0, total - invoice.paidCents), true],
  ];
  for (const [label, cents, strong] of rows) {
    y -= 4;
    write(label, 340, y, strong ? { font: 'bold' } : {});
    write(money(cents), RIGHT, y, { align: 'right', ...(strong ? { font: 'bold' as const } : {}) });
    y -= 16;
  }
  write(t.cards, 50, 60, { size: 8, color: 0.4 });
  return pdf.save();
}

/** Every fixed word of a catalogue's PDF labels, to ask whether the font can write the language. */
function labelText(labels: ReminderCatalogue['invoicePdf']): string {
  return Object.values(labels)
    .map((value) =>
      typeof value === 'function'
        ? (value as (...args: string[]) => string)('', '', '')
        : typeof value === 'string'
          ? value
          : Object.values(value).join(''),
    )
    .join('');
}

/** Noto Sans, the regular and bold faces: read when the first invoice is printed, then kept. */
let noto: Promise<{ regular: Buffer; bold: Buffer }> | undefined;
function notoSans() {
  noto ??= (async () => {
    const require = createRequire(import.meta.url);
    const face = (name: string) =>
      readFile(require.resolve(`@expo-google-fonts/noto-sans/${name}/NotoSans_${name}.ttf`));
    const [regular, bold] = await Promise.all([face('400Regular'), face('700Bold')]);
    return { regular, bold };
  })();
  return noto;
}

/** What an invoice points at, as the PDF and its email show it: the clinic, the patient, the visit. */
export interface InvoiceContext {
  site: string | null;
  timezone: string | null;
  given: string | null;
  family: string | null;
  mrn: string | null;
  email: string | null;
  /** The patient's preferred language (BCP 47): the invoice and the email that carries it are in it. */
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

function writer(page: PDFPage, regular: PDFFont, bold: PDFFont, printable: (text: string) => string) {
  return (
    value: string,
    x: number,
    y: number,
    options: { size?: number; font?: 'bold'; color?: number; align?: 'right' } = {},
  ) => {
    const font = options.font === 'bold' ? bold : regular;
    const size = options.size ?? 10;
    const gray = options.color ?? 0.1;
    const text = printable(value);
    const left = options.align === 'right' ? x - font.widthOfTextAtSize(text, size) : x;
    page.drawText(text, { x: left, y, size, font, color: rgb(gray, gray, gray) });
  };
}
