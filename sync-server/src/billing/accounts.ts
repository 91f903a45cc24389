import { accountIdOf, newAccount, type Actor, type Patient } from '@medisync/shared/domain';
import type { Logger } from 'pino';
import type { ChangeFeed } from '#changes/feed';
import type { FeedChange } from '#changes/read';
import type { Db } from '#db/db';
import { serverClock, serverRules } from '#sync/rules';
import { pushRecords } from '#sync/store';
import { recordWebhookEvents } from '#webhooks/events';

const SERVER: Actor = { id: 'server:billing', role: 'server', source: 'server' };

/**
 * Opens a billing account for every patient the server stores for the first
 * time, whoever registered them. A desk opens the account itself, offline
 * too; a kiosk may not write the ledger, and an integration registers
 * patients through the API, so without this their walk-ins and new patients
 * would have no account until a visit is billed.
 *
 * It follows the change feed like every other outlet (docs/architecture.md
 * §9.2). An account's id derives from its patient (`accountIdOf`), so the
 * account a desk made, or another instance opened at the same moment, is the
 * same record, and one already held is left alone. Returns the unsubscribe.
 */
export function openAccountsForNewPatients(
  deps: { db: Db; log: Logger; changes: ChangeFeed },
  currency: string,
): () => void {
  return deps.changes.onCommitted(async (change) => {
    await openAccounts(deps.db, change, currency).catch((error: unknown) =>
      deps.log.warn({ err: String(error) }, 'billing accounts not opened'),
    );
  });
}

async function openAccounts(db: Db, change: FeedChange, currency: string): Promise<void> {
  if (change.collection !== 'patients') return;
  const created = new Map(
    change.records
      .filter((r) => r.changed === null && !r.doc._deleted)
      .map((r) => [accountIdOf(r.doc.id), r.doc as unknown as Patient]),
  );
  if (created.size === 0) return;
  const held = await db.query<{ id: string }>('SELECT id FROM ledger WHERE id = ANY($1::uuid[])', [
    [...created.keys()],
  ]);
  for (const { id } of held) created.delete(id);
  const missing = [...created.values()];
  if (missing.length === 0) return;
  const result = await pushRecords(
    db,
    'ledger',
    missing.map((p) => ({ newDocumentState: newAccount(p, currency, serverClock, SERVER) as never })),
    { rules: serverRules, afterWrite: recordWebhookEvents },
  );
  if (result.rejected.length > 0) throw new Error(result.rejected[0]!.error.message);
}
