import type { CollectionName } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import type { CommittedChange, StoredRecord } from '#sync/store';
import type { FeedFacts } from './append.js';

export type FeedRecord = StoredRecord & FeedFacts;

/** One committed change batch of a collection at one site, as the feed holds it. */
export interface FeedChange extends CommittedChange {
  /** The feed row's position: at one site, later changes have larger positions. */
  position: number;
  /** When the writing transaction began (its `now()`), not the moment it committed. */
  writtenAt: string;
  records: FeedRecord[];
}

/**
 * How far a reader has read: the last position per site. Positions are only
 * ordered within a site (docs/architecture.md §3.3), so a single global number
 * could pass a change another site is still committing. A plain JSON object,
 * so a consumer that must resume after a restart can store it as it is.
 */
export type FeedCursor = Readonly<Record<string, number>>;

/** Rows read per site and query (a row holds up to a push's 1,000 records); a reader behind by more reads again. */
const PAGE = 50;

/**
 * The head of every site: a cursor that delivers only what commits after it
 * was taken. A site created later is absent and read from its start.
 */
export async function feedHeads(db: Db): Promise<FeedCursor> {
  const rows = await db.query<{ id: string; head: string | null }>(
    `SELECT s.id, (SELECT max(position) FROM change_feed f WHERE f.site_id = s.id) AS head FROM sites s`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.head ?? 0)]));
}

/**
 * The next page of changes after `cursor` at `sites` (default: every site,
 * those the cursor does not know yet from their start), in position order,
 * with the cursor moved past them: at most a page of rows per site, so a
 * reader far behind holds one page at a time. `caughtUp` is false while a
 * site may have more; read again from the returned cursor.
 */
export async function readChangesAfter(
  db: Db,
  cursor: FeedCursor,
  sites?: readonly string[],
): Promise<{ changes: FeedChange[]; cursor: FeedCursor; caughtUp: boolean }> {
  const wanted = (
    sites ?? [
      ...new Set([
        ...Object.keys(cursor),
        ...(await db.query<{ id: string }>('SELECT id FROM sites')).map((r) => r.id),
      ]),
    ]
  ).filter(isUuid);
  const next: Record<string, number> = { ...cursor };
  if (wanted.length === 0) return { changes: [], cursor: next, caughtUp: true };
  const rows = await db.query<Row>(
    `SELECT f.position, f.site_id, f.collection, f.from_seq, f.to_seq, f.records, f.created_at
       FROM unnest($1::uuid[], $2::bigint[]) AS c(site_id, after)
       CROSS JOIN LATERAL (
         SELECT * FROM change_feed f WHERE f.site_id = c.site_id AND f.position > c.after
          ORDER BY f.position LIMIT ${PAGE}
       ) f
      ORDER BY f.position`,
    [wanted, wanted.map((site) => next[site] ?? 0)],
  );
  const counts = new Map<string, number>();
  for (const row of rows) {
    next[row.site_id] = Number(row.position);
    counts.set(row.site_id, (counts.get(row.site_id) ?? 0) + 1);
  }
  // A site that filled its page may have more.
  const caughtUp = [...counts.values()].every((n) => n < PAGE);
  return { changes: rows.map(toChange), cursor: next, caughtUp };
}

interface Row {
  position: string;
  site_id: string;
  collection: CollectionName;
  from_seq: string;
  to_seq: string;
  records: FeedRecord[];
  created_at: Date;
}

function toChange(row: Row): FeedChange {
  return {
    position: Number(row.position),
    writtenAt: row.created_at.toISOString(),
    collection: row.collection,
    siteId: row.site_id,
    fromSeq: Number(row.from_seq),
    toSeq: Number(row.to_seq),
    records: row.records,
  };
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
