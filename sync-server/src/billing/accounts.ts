import { newAccount, type Actor, type Patient } from '@medisync/shared/domain';
import { serverClock, serverRules } from '#sync/rules';
import { writeInTransaction, type AfterWrite, type Doc } from '#sync/store';
import { recordWebhookEvents } from '#webhooks/events';

const SERVER: Actor = { id: 'server:billing', role: 'server', source: 'server' };

/**
 * What every write of the server does in its transaction besides storing
 * (`PushOptions.afterWrite`): the webhook outbox, and a billing account for
 * every patient the server stores for the first time, whoever registered them.
 * A desk opens the account itself, offline too; a kiosk may not write the
 * ledger, and an integration registers patients through the API, so without
 * this their walk-ins and new patients would have no account until a visit is
 * billed.
 *
 * The account commits with its patient: no crash between the two leaves a
 * patient without one, and no instance has to find the new patients
 * afterwards. An account's id derives from its patient (`accountIdOf`), so an
 * account a desk already pushed is the same record, and it is left as it is.
 * One value per server: pushes share a transaction only when their
 * `afterWrite` is the same (sync/store.ts).
 */
export function serverWrites(currency: string): AfterWrite {
  return async (tx, collection, writes) => {
    await recordWebhookEvents(tx, collection, writes);
    if (collection !== 'patients') return;
    const created = writes.filter((w) => w.previous === undefined && !w.next._deleted);
    if (created.length === 0) return;
    await writeInTransaction(
      tx,
      'ledger',
      created.map((w) => newAccount(w.next as unknown as Patient, currency, serverClock, SERVER)),
      { rules: serverRules, afterWrite: recordWebhookEvents, restrict: keepHeld },
    );
  };
}

/** An account already stored stays as it is: merged with itself, it is not written again. */
const keepHeld = (incoming: Doc, previous: Doc | undefined): Doc => previous ?? incoming;
