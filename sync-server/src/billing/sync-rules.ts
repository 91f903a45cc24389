import { canonicalJson, type LedgerEntry } from '@medisync/shared/domain';
import type { Principal } from '#auth/principal';
import type { WriteCheck } from '#sync/store';

/** Fields of an invoice that follow money only the server sees move. */
const SERVER_INVOICE_FIELDS = ['paidCents', 'refundedCents'] as const;

/**
 * What staff devices may push to the ledger, beyond the rules of every
 * collection (docs/architecture.md §5.4, §9.7):
 *
 * - a record's kind never changes;
 * - payments are the server's alone: it records them from Stripe, so no
 *   device can mark a charge paid, offline or not;
 * - an invoice's paid and refunded amounts are the server's too;
 * - the fee schedule is an admin's.
 */
export function ledgerWriteRules(principal: Principal): WriteCheck {
  return (_collection, next, previous) => {
    const entry = next as unknown as LedgerEntry;
    const before = previous as unknown as LedgerEntry | undefined;
    if (before !== undefined && before.kind !== entry.kind) {
      return `a ledger record's kind never changes (it is a ${before.kind})`;
    }
    if (entry.kind === 'payment') return 'payments are recorded by the server from Stripe, never by a device';
    if (entry.kind === 'fee' && principal.role !== 'admin') return 'only an admin changes the fee schedule';
    if (entry.kind === 'invoice') {
      for (const field of SERVER_INVOICE_FIELDS) {
        // A device holding an older state is fine (the merge keeps the server's later write); a newer write is not.
        const stored = before?.kind === 'invoice' ? before : undefined;
        const wrote =
          stored === undefined ? entry[field] !== 0 : (entry.clocks[field] ?? '') > (stored.clocks[field] ?? '');
        if (wrote && canonicalJson(entry[field]) !== canonicalJson(stored?.[field] ?? 0)) {
          return `an invoice's ${field} is written by the server from its payments`;
        }
      }
    }
    return null;
  };
}
