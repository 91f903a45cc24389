import { dayRangeUtc, localDateAt, type CollectionName } from '@medisync/shared/domain';
import type { Checkpoint, PullResponse } from '@medisync/shared/sync';
import type pg from 'pg';
import type { Db, Tx } from '#db/db';
import { toStored, type Doc, type StoredRecord } from './store.js';
import { tableOf } from './tables.js';

/**
 * A parameterised SQL condition on a record table aliased `r`: each `$PARAM` takes
 * the next of `params`; `$1` is the seq after which to read and `$2` the site id.
 */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/** Reads rows inside the pull's snapshot, for projections that need related records. */
export type ReadRows = <R extends object>(sql: string, params: unknown[]) => Promise<R[]>;

/** What one principal sees of one collection at one site. */
export interface PullView {
  siteId: string;
  /** Extra condition applied in SQL, before the limit, so pages stay full (DESIGN section 3). */
  filter?: SqlFilter;
  /**
   * Only records whose ISO timestamp `field` falls on the site's today, in SQL
   * like `filter`. The checkpoint then names the day, and a device's first pull
   * of a new day starts over, or it would never see today's records that were
   * written (booked) before its checkpoint.
   */
  todayOnly?: {
    field: string;
    /**
     * A record changed today that is not (or no longer) of today, such as an
     * appointment moved to next week, reaches the device as a tombstone, so a
     * device that held it lets go. This shapes what such a tombstone still carries.
     */
    tombstone?: (projected: Doc) => Doc;
  };
  /**
   * Reshapes a page of records for the principal's role (drops fields it may not
   * see, resolves display names), reading related rows through `read`.
   */
  project?: (docs: Doc[], read: ReadRows) => Promise<Doc[]>;
}

/**
 * The working set a new device needs first: today's appointments and queue,
 * and the patients in them. Reference collections are small and come whole.
 */
function priorityFilter(collection: CollectionName, today: { start: string; end: string }): SqlFilter | null {
  const inToday = (field: string): SqlFilter => ({
    sql: `r.doc->>'${field}' >= $PARAM AND r.doc->>'${field}' < $PARAM`,
    params: [today.start, today.end],
  });
  switch (collection) {
    case 'appointments':
      return inToday('start');
    case 'queueEntries':
      return inToday('checkedInAt');
    case 'patients':
      return {
        sql: `r.id IN (
          SELECT (a.doc->>'patientId')::uuid FROM appointments a
           WHERE a.site_ids @> ARRAY[$2::uuid] AND a.doc->>'start' >= $PARAM AND a.doc->>'start' < $PARAM
          UNION
          SELECT (q.doc->>'patientId')::uuid FROM queue_entries q
           WHERE q.site_ids @> ARRAY[$2::uuid] AND q.doc->>'checkedInAt' >= $PARAM AND q.doc->>'checkedInAt' < $PARAM)`,
        params: [today.start, today.end, today.start, today.end],
      };
    default:
      return null;
  }
}

/** Today at a site, as a UTC range of ISO strings comparable with stored timestamps. */
export async function siteToday(db: pg.Pool | Tx, siteId: string, now = new Date()) {
  const { rows } = await db.query<{ timezone: string | null }>(timezoneSql, [siteId]);
  const timezone = rows[0]?.timezone ?? 'UTC';
  const date = localDateAt(now, timezone);
  const { start, end } = dayRangeUtc(date, timezone);
  return { start: start.toISOString(), end: end.toISOString(), timezone, date };
}
const timezoneSql = `SELECT doc->>'timezone' AS timezone FROM sites WHERE id = $1`;

/**
 * One page of a collection's changes for a view. New devices get the priority
 * phase first, then the whole history from the beginning; both phases are read
 * in one snapshot, so a page that spans them holds each record once.
 */
export async function pullChanges(
  db: Db,
  collection: CollectionName,
  view: PullView,
  checkpoint: Checkpoint | undefined,
  limit: number,
  now = new Date(),
): Promise<PullResponse<Doc>> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const today = await siteToday(client, view.siteId, now);
    const day = view.todayOnly ? { day: today.date } : {};
    // The history phase of a day-scoped view also reads what changed today, to send leavers as tombstones.
    let historyView = view;
    let isToday = (_doc: Doc) => true;
    if (view.todayOnly) {
      const field = view.todayOnly.field;
      const inToday: SqlFilter = {
        sql: `r.doc->>'${field}' >= $PARAM AND r.doc->>'${field}' < $PARAM`,
        params: [today.start, today.end],
      };
      historyView = {
        ...view,
        filter: andFilters(view.filter, {
          sql: `(${inToday.sql}) OR r.updated_at >= $PARAM::timestamptz`,
          params: [...inToday.params, today.start],
        }),
      };
      view = { ...view, filter: andFilters(view.filter, inToday) };
      isToday = (doc) => {
        const value = (doc as unknown as Record<string, unknown>)[field];
        return typeof value === 'string' && value >= today.start && value < today.end;
      };
      if (checkpoint !== undefined && checkpoint.day !== today.date) checkpoint = undefined;
    }
    const records: StoredRecord[] = [];
    let cp: Checkpoint = checkpoint ?? { phase: 'priority', seq: 0, ...day };
    if (cp.phase === 'priority') {
      const priority = priorityFilter(collection, today);
      const page = priority ? await selectPage(client, collection, view, cp.seq, limit, [priority]) : [];
      records.push(...page);
      cp = page.length > 0 ? { phase: 'priority', seq: page.at(-1)!.seq, ...day } : cp;
      if (page.length < limit) cp = { phase: 'history', seq: 0, ...day };
    }
    if (cp.phase === 'history' && records.length < limit) {
      const seen = records.map((r) => r.doc.id);
      const exclude: SqlFilter[] = seen.length > 0 ? [{ sql: 'r.id <> ALL($PARAM::uuid[])', params: [seen] }] : [];
      const page = await selectPage(client, collection, historyView, cp.seq, limit - records.length, exclude);
      records.push(...page);
      if (page.length > 0) cp = { phase: 'history', seq: page.at(-1)!.seq, ...day };
    }
    const remaining = await countAfter(client, collection, cp.phase === 'history' ? historyView : view, cp);
    const docs = records.map((r) => r.doc);
    const projected = view.project
      ? await view.project(
          docs,
          async <R extends object>(sql: string, params: unknown[]) => (await client.query<R>(sql, params)).rows,
        )
      : docs;
    const tombstone = view.todayOnly?.tombstone ?? ((d: Doc) => d);
    const documents = projected.map((doc, i) => (isToday(docs[i]!) ? doc : { ...tombstone(doc), _deleted: true }));
    await client.query('COMMIT');
    return { documents, checkpoint: cp, remaining };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function selectPage(
  tx: Tx,
  collection: CollectionName,
  view: PullView,
  afterSeq: number,
  limit: number,
  extra: SqlFilter[],
): Promise<StoredRecord[]> {
  const { where, params } = whereClause(view, afterSeq, extra);
  const { rows } = await tx.query<{ seq: string; deleted: boolean; doc: never; site_ids: string[] }>(
    `SELECT r.seq, r.deleted, r.doc, r.site_ids FROM ${tableOf[collection]} r
      WHERE ${where} ORDER BY r.seq LIMIT ${Math.floor(limit)}`,
    params,
  );
  return rows.map(toStored);
}

async function countAfter(tx: Tx, collection: CollectionName, view: PullView, cp: Checkpoint): Promise<number> {
  // In the priority phase the whole history is still to come.
  const { where, params } = whereClause(view, cp.phase === 'history' ? cp.seq : 0, []);
  const { rows } = await tx.query<{ count: string }>(
    `SELECT count(*) FROM ${tableOf[collection]} r WHERE ${where}`,
    params,
  );
  return Number(rows[0]!.count);
}

function andFilters(a: SqlFilter | undefined, b: SqlFilter): SqlFilter {
  return a === undefined ? b : { sql: `(${a.sql}) AND (${b.sql})`, params: [...a.params, ...b.params] };
}

/** Builds `site AND seq > $2 AND filters`, numbering each filter's `$PARAM` placeholders in turn. */
function whereClause(view: PullView, afterSeq: number, extra: SqlFilter[]) {
  const params: unknown[] = [afterSeq, view.siteId];
  const parts = ['r.site_ids @> ARRAY[$2::uuid]', 'r.seq > $1'];
  for (const filter of [...(view.filter ? [view.filter] : []), ...extra]) {
    let i = 0;
    parts.push(
      `(${filter.sql.replace(/\$PARAM/g, () => {
        params.push(filter.params[i++]);
        return `$${params.length}`;
      })})`,
    );
  }
  return { where: parts.join(' AND '), params };
}
