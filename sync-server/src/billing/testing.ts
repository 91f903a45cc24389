import {
  claimIdOf,
  copayChargeIdOf,
  createRecord,
  HybridClock,
  invoiceIdOf,
  paymentIdOf,
  type Actor,
  type NewRecord,
} from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { writeRecords } from '#sync/store';

const clock = new HybridClock('fixtures-billing');
const seeder: Actor = { id: 'fixtures', role: 'server', source: 'server' };
const ledger = (fields: Record<string, unknown>) =>
  createRecord('ledger', fields as NewRecord<'ledger'>, clock, seeder);

/**
 * A visit's whole ledger written as the server would have: a copay charge, its
 * open invoice (insured), a pending payment and a draft claim. For tests that
 * need one of each record without going through Stripe.
 */
export async function seedBilledVisit(
  db: Db,
  visit: { siteId: string; patientId: string; appointmentId: string; providerId: string },
) {
  const { siteId, patientId, appointmentId, providerId } = visit;
  const chargeId = copayChargeIdOf(appointmentId);
  const insurance = { payer: 'Acme Health', memberId: 'AC-9', groupNumber: null };
  const base = { siteId, patientId, appointmentId, currency: 'usd' };
  const records = [
    ledger({
      id: chargeId,
      kind: 'charge',
      ...base,
      chargeType: 'copay',
      description: 'Copay',
      amountCents: 2000,
      collectAtDesk: null,
      voided: false,
    }),
    ledger({
      id: invoiceIdOf(appointmentId),
      kind: 'invoice',
      ...base,
      lines: [{ chargeId, description: 'Copay', amountCents: 2000 }],
      insurance,
      paidCents: 0,
      refundedCents: 0,
      status: 'open',
    }),
    ledger({
      id: paymentIdOf(chargeId),
      kind: 'payment',
      ...base,
      chargeId,
      invoiceId: invoiceIdOf(appointmentId),
      amountCents: 2000,
      method: 'payment-link',
      stripe: { paymentIntentId: 'pi_test_fixture', checkoutSessionId: 'cs_test_fixture', url: null, readerId: null },
      refunds: [],
      refundedCents: 0,
      status: 'pending',
    }),
    ledger({
      id: claimIdOf(appointmentId),
      kind: 'claim',
      ...base,
      invoiceId: invoiceIdOf(appointmentId),
      providerId,
      insurance,
      billedCents: 2000,
      approvedCents: null,
      payerPaidCents: null,
      denialReason: null,
      status: 'draft',
    }),
  ];
  await writeRecords(db, 'ledger', records);
  return {
    chargeId,
    invoiceId: invoiceIdOf(appointmentId),
    paymentId: paymentIdOf(chargeId),
    claimId: claimIdOf(appointmentId),
  };
}
