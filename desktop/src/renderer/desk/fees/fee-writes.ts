import { changeRecord, createRecord, feeIdOf, type FeeEntry } from '@medisync/shared/domain';
import { deskActor, type Workspace } from '../workspace.js';

/**
 * An admin's edits of the site's fee schedule (docs/architecture.md §9.7),
 * saved on this device and synced like any change, so they work offline; the
 * server takes fee changes from admins only. A fee is never deleted: visits
 * already billed keep the amount they were billed at, and a fee no longer
 * offered is marked inactive.
 */

export type FeeChange = Partial<Pick<FeeEntry, 'description' | 'amountCents' | 'active'>>;

export async function changeFee(workspace: Workspace, feeId: string, change: FeeChange): Promise<FeeEntry> {
  const { db } = workspace;
  const doc = await db.rx.ledger.findOne(feeId).exec();
  if (doc === null) throw new Error('This fee is not on this device.');
  const record = changeRecord('ledger', doc.toJSON() as FeeEntry, change as never, db.clock) as FeeEntry;
  await db.save('ledger', record);
  return record;
}

export async function addFee(
  workspace: Workspace,
  fee: Pick<FeeEntry, 'visitType' | 'description' | 'amountCents' | 'currency'>,
): Promise<FeeEntry> {
  const { db, session } = workspace;
  const siteId = session.site.id;
  const record = createRecord(
    'ledger',
    { id: feeIdOf(siteId, fee.visitType), kind: 'fee', siteId, ...fee, active: true } as never,
    db.clock,
    deskActor(workspace),
  ) as FeeEntry;
  await db.save('ledger', record);
  return record;
}
