import { HybridClock, planVisitBilling, type InvoiceEntry } from '@medisync/shared/domain';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { invoiceNumber, invoicePdf, type InvoiceContext } from './invoice-pdf.js';

/** The invoice PDF as its reader sees it: the text a PDF reader extracts, in the patient's language. */

const SITE = '0190a000-0000-7000-8000-000000000001';
const PATIENT = '0190a000-0000-7000-8000-000000000003';
const invoice = planVisitBilling(
  {
    appointment: {
      id: '0190a000-0000-7000-8000-000000000008',
      siteId: SITE,
      patientId: PATIENT,
      visitType: 'follow-up',
      copayCents: 2500,
    },
    patient: { id: PATIENT, insurance: { payer: 'Acme Health', memberId: 'X1', groupNumber: null } },
    fees: [],
    existing: [],
    currency: 'usd',
  },
  new HybridClock('desk-a'),
  { id: 'desk-a', role: 'desk', source: 'desk' },
).find((e): e is InvoiceEntry => e.kind === 'invoice')!;

const context = (given: string, family: string, language: string): InvoiceContext => ({
  site: 'Riverside Family Clinic',
  timezone: 'America/New_York',
  given,
  family,
  mrn: 'MRN-100042',
  email: null,
  language,
  start: '2026-12-03T15:00:00.000Z',
  provider: 'Dr. Aisha Okafor',
});

async function textOf(pdf: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(pdf), { mergePages: true });
  return text.normalize('NFC');
}

describe('the invoice PDF', () => {
  it("is in the patient's language, their name written as it is spelled", async () => {
    const vi = await textOf(await invoicePdf(invoice, context('Thành', 'Nguyễn', 'vi')));
    for (const words of [
      'HÓA ĐƠN',
      'Nguyễn, Thành',
      'Bảo hiểm: Acme Health',
      'Số tiền còn nợ',
      invoiceNumber(invoice),
    ]) {
      expect(vi).toContain(words);
    }
    const de = await textOf(await invoicePdf(invoice, context('Jürgen', 'Müller', 'de-AT')));
    for (const words of [
      'RECHNUNG',
      'Müller, Jürgen',
      'Besuch am 3. Dezember 2026 bei Dr. Aisha Okafor',
      'Offener Betrag',
    ]) {
      expect(de).toContain(words);
    }
    // Amounts as a German reader writes them.
    expect(de).toContain('25,00 $');
  });

  it('prints in English where its font cannot write the language, and never fails on a name', async () => {
    const zh = await textOf(await invoicePdf(invoice, context('伟', '王', 'zh')));
    expect(zh).toContain('INVOICE');
    expect(zh).toContain('Balance due');
    expect(zh).toContain('?, ?');
    const en = await textOf(await invoicePdf(invoice, context('Ana', 'García', 'en')));
    expect(en).toContain('García, Ana');
    expect(en).toContain('Visit on December 3, 2026 with Dr. Aisha Okafor');
    expect(en).toContain('$25.00');
  });
});
