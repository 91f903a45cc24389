import { hlcToIso, invoiceTotal, type ClaimEntry, type InvoiceEntry, type LedgerEntry } from '@medisync/shared/domain';
import type { Filter } from '#api/records';
import { HttpError } from '#http/errors';

/**
 * Billing as HL7 FHIR R4 resources (docs/architecture.md §9.7): a visit's invoice as
 * `Invoice`, an insurance claim as `Claim`. Both are ledger records; a ledger
 * record of another kind under the same id is not one of them (404).
 */

/** The code system of MediSync's own claim statuses; FHIR's Claim.status says only whether it is in force. */
export const CLAIM_STATUS_EXTENSION = 'urn:medisync:fhir:claim-status';

const money = (cents: number, currency: string) => ({ value: cents / 100, currency: currency.toUpperCase() });
const createdAt = (entry: { statusLog: { hlc: string }[] }) =>
  hlcToIso([...entry.statusLog].sort((a, b) => (a.hlc < b.hlc ? -1 : 1))[0]!.hlc);

function ofKind<K extends LedgerEntry['kind']>(entry: LedgerEntry, kind: K, type: string) {
  if (entry.kind !== kind) throw new HttpError(404, 'not-found', `no ${type} ${entry.id} at this site`);
  return entry as Extract<LedgerEntry, { kind: K }>;
}

const INVOICE_STATUS: Record<InvoiceEntry['status'], string> = {
  draft: 'draft',
  open: 'issued',
  paid: 'balanced',
  refunded: 'balanced',
  void: 'cancelled',
};

export function toFhirInvoice(record: LedgerEntry) {
  const invoice = ofKind(record, 'invoice', 'Invoice');
  const total = invoiceTotal(invoice);
  const notes = [
    `Paid ${money(invoice.paidCents, invoice.currency).value.toFixed(2)} ${invoice.currency.toUpperCase()}`,
    ...(invoice.refundedCents > 0
      ? [
          `refunded ${money(invoice.refundedCents, invoice.currency).value.toFixed(2)} ${invoice.currency.toUpperCase()}`,
        ]
      : []),
  ];
  return {
    resourceType: 'Invoice',
    id: invoice.id,
    identifier: [{ system: 'urn:medisync:invoice', value: `INV-${invoice.id.slice(0, 8).toUpperCase()}` }],
    status: INVOICE_STATUS[invoice.status],
    ...(invoice.status === 'void' ? { cancelledReason: 'voided at the desk' } : {}),
    subject: { reference: `Patient/${invoice.patientId}` },
    date: createdAt(invoice),
    ...(invoice.lines.length > 0
      ? {
          lineItem: invoice.lines.map((line, i) => ({
            sequence: i + 1,
            chargeItemCodeableConcept: { text: line.description },
            priceComponent: [{ type: 'base', amount: money(line.amountCents, invoice.currency) }],
          })),
        }
      : {}),
    totalNet: money(total, invoice.currency),
    totalGross: money(total, invoice.currency),
    note: [{ text: `${notes.join(', ')}; visit Appointment/${invoice.appointmentId}` }],
  };
}

const CLAIM_IN_FORCE: Record<ClaimEntry['status'], string> = {
  draft: 'draft',
  submitted: 'active',
  accepted: 'active',
  denied: 'active',
  paid: 'active',
};

export function toFhirClaim(record: LedgerEntry) {
  const claim = ofKind(record, 'claim', 'Claim');
  const { insurance } = claim;
  return {
    resourceType: 'Claim',
    id: claim.id,
    extension: [{ url: CLAIM_STATUS_EXTENSION, valueCode: claim.status }],
    status: CLAIM_IN_FORCE[claim.status],
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${claim.patientId}` },
    created: createdAt(claim),
    provider: { reference: `Practitioner/${claim.providerId}` },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    insurance: [
      {
        sequence: 1,
        focal: true,
        identifier: { value: insurance.memberId },
        coverage: {
          display: `${insurance.payer}, member ${insurance.memberId}${insurance.groupNumber ? `, group ${insurance.groupNumber}` : ''}`,
        },
      },
    ],
    item: [
      {
        sequence: 1,
        productOrService: { text: 'Office visit' },
        net: money(claim.billedCents, claim.currency),
      },
    ],
    total: money(claim.billedCents, claim.currency),
  };
}

/** Search of Invoice and Claim: by `patient`, and Invoice by its FHIR `status`. */
export function billingSearch(kind: 'invoice' | 'claim', q: Record<string, string>): Filter[] {
  const filters: Filter[] = [{ sql: `doc->>'kind' = ?`, value: kind }];
  if (q.patient) filters.push({ sql: `doc->>'patientId' = ?`, value: q.patient.replace(/^Patient\//, '') });
  if (kind === 'invoice' && q.status) {
    const ours = Object.entries(INVOICE_STATUS)
      .filter(([, fhir]) => fhir === q.status)
      .map(([status]) => status);
    filters.push({ sql: `doc->>'status' = ANY(?::text[])`, value: ours });
  }
  return filters;
}
