import { sameJson } from '@medisync/shared/domain';
import { prepared, type Tx } from '#db/db';
import type { CommittedChange, Doc } from '#sync/store';

/** The channel every server instance LISTENs on; the payload names the sites that changed. */
export const FEED_CHANNEL = 'medisync_change_feed';

/** NOTIFY payloads stop at 8,000 bytes: past this many sites the payload is empty, meaning "read every site". */
const MAX_NOTIFIED_SITES = 150;

/** What the feed keeps of each written record besides its state. */
export interface FeedFacts {
  /** Top-level fields whose value the change altered; null for a record the change created. */
  changed: string[] | null;
  /** Keys of attention flags (docs/architecture.md §4.3) that this change opened. */
  raised: string[];
}

/**
 * Appends a write's committed changes to the change feed, inside the write's
 * own transaction and with its sites still locked (docs/architecture.md §9.2):
 * the rows commit or vanish with the change, and their positions are taken
 * under the site lock, so at one site they become visible in position order.
 * The NOTIFY is delivered by PostgreSQL only when the transaction commits.
 */
export async function appendToFeed(
  tx: Tx,
  changes: readonly CommittedChange[],
  previousOf: (id: string) => Doc | undefined,
): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((change) => ({
    site_id: change.siteId,
    collection: change.collection,
    from_seq: change.fromSeq,
    to_seq: change.toSeq,
    records: change.records.map((r) => ({ ...r, ...factsOf(previousOf(r.doc.id), r.doc) })),
  }));
  const sites = [...new Set(changes.map((c) => c.siteId))].sort();
  // One round trip: a data-modifying WITH runs whether or not the outer query reads it.
  await tx.query(
    prepared(
      `WITH appended AS (
       INSERT INTO change_feed (site_id, collection, from_seq, to_seq, records)
       SELECT site_id, collection, from_seq, to_seq, records
         FROM jsonb_to_recordset($1::jsonb) AS r(site_id uuid, collection text, from_seq bigint, to_seq bigint, records jsonb)
     )
     SELECT pg_notify($2, $3)`,
      [JSON.stringify(rows), FEED_CHANNEL, sites.length <= MAX_NOTIFIED_SITES ? sites.join(',') : ''],
    ),
  );
}

export function factsOf(previous: Doc | undefined, next: Doc): FeedFacts {
  const open = (doc: Doc | undefined) =>
    new Set(
      Object.entries(
        (doc as { attention?: Record<string, { resolvedAt?: string | null }> } | undefined)?.attention ?? {},
      )
        .filter(([, flag]) => flag.resolvedAt == null)
        .map(([key]) => key),
    );
  const before = open(previous);
  const raised = [...open(next)].filter((key) => !before.has(key));
  if (previous === undefined) return { changed: null, raised };
  const [a, b] = [previous as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>];
  // Per-field clocks are merge machinery: they change with every field they stamp.
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => key !== 'clocks'));
  // Compared canonically: a stored state read back from jsonb has its keys in another order.
  const changed = [...keys].filter((key) => !sameJson(a[key] ?? null, b[key] ?? null));
  return { changed, raised };
}
