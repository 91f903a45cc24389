import {
  accountIdOf,
  answerClaim,
  changeRecord,
  draftClaim,
  planVisitBilling,
  transitionRecord,
  type Appointment,
  type ChargeEntry,
  type ClaimAnswer,
  type ClaimEntry,
  type FeeEntry,
  type InvoiceEntry,
  type LedgerEntry,
  type Patient,
} from '@medisync/shared/domain';
import type { RxDocument } from 'rxdb';
import { deskActor, type Workspace } from '../workspace.js';

/** A site's fee schedule is a few dozen lines; more than this is not a fee schedule. */
const MAX_FEES = 200;
/** A visit has a handful of ledger records (charges, invoice, payments, claim). */
export const MAX_VISIT_ENTRIES = 50;

/**
 * Bills a visit on this desk, offline too (docs/architecture.md §9.7): the
 * patient's account, the copay or self-pay charge and the invoice, with ids
 * derived from the visit, so another desk billing it too makes the same records.
 */
export async function billVisit(
  workspace: Workspace,
  appointment: Appointment,
  patient: Patient,
  currency: string,
): Promise<LedgerEntry[]> {
  const { db } = workspace;
  const ledger = db.rx.ledger;
  const json = (docs: RxDocument<LedgerEntry>[]) => docs.map((d) => d.toJSON() as LedgerEntry);
  const fees = json(
    await ledger.find({ selector: { kind: 'fee', siteId: appointment.siteId }, limit: MAX_FEES }).exec(),
  ) as FeeEntry[];
  const visit = json(
    await ledger.find({ selector: { appointmentId: appointment.id }, limit: MAX_VISIT_ENTRIES }).exec(),
  );
  const account = await ledger.findOne(accountIdOf(patient.id)).exec();
  const made = planVisitBilling(
    {
      appointment,
      patient,
      fees,
      existing: account ? [...visit, account.toJSON() as LedgerEntry] : visit,
      currency,
    },
    db.clock,
    deskActor(workspace),
  );
  for (const entry of made) await db.save('ledger', entry);
  return made;
}

/**
 * A card payment tried without the network: the charge is marked "collect at
 * desk" (never paid), so every desk shows it is still to take once back online.
 */
export async function markCollectAtDesk(workspace: Workspace, charge: ChargeEntry): Promise<void> {
  const { db } = workspace;
  const current = (await db.rx.ledger.findOne(charge.id).exec())?.toJSON() as ChargeEntry | undefined;
  if (!current || current.collectAtDesk !== null) return;
  await db.save(
    'ledger',
    changeRecord('ledger', current, { collectAtDesk: new Date().toISOString() } as never, db.clock),
  );
}

/** Drafts the visit's insurance claim from its invoice on this desk (offline too); the server accepts it when it syncs. */
export async function draftVisitClaim(workspace: Workspace, invoice: InvoiceEntry, providerId: string): Promise<void> {
  const claim = draftClaim(invoice, providerId, workspace.db.clock, deskActor(workspace));
  if (claim !== null) await workspace.db.save('ledger', claim);
}

/** Submits a drafted claim: a desk's step; the payer's answer comes from an admin or an integration. */
export async function submitClaim(workspace: Workspace, claim: ClaimEntry): Promise<void> {
  const { db } = workspace;
  const current = ((await db.rx.ledger.findOne(claim.id).exec())?.toJSON() as ClaimEntry | undefined) ?? claim;
  if (current.status !== 'draft') return;
  await db.save('ledger', transitionRecord('ledger', current, 'submitted', db.clock, deskActor(workspace)));
}

/** An admin records the insurer's answer to a submitted claim, offline too: it syncs like any change. */
export async function recordClaimAnswer(workspace: Workspace, claim: ClaimEntry, answer: ClaimAnswer): Promise<void> {
  const { db } = workspace;
  const current = ((await db.rx.ledger.findOne(claim.id).exec())?.toJSON() as ClaimEntry | undefined) ?? claim;
  await db.save('ledger', answerClaim(current, answer, db.clock, deskActor(workspace)));
}
