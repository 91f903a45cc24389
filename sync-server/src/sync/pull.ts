import { dayRangeUtc, localDateAt, type CollectionName } from '@medisync/shared/domain';
import type { Checkpoint, PullQuery, PullResponse } from '@medisync/shared/sync';
import type pg from 'pg';
import { auditedReadSql, type AuditEvent, type AuditLog } from '#audit/audit-log';
import { revokedError } from '#auth/authenticate';
import { prepared, type Db, type Tx } from '#db/db';
import { countSiteRows, lastSiteSeq, siteRowsWithHead } from './site-rows.js';
import type { Doc } from './store.js';
import { tableOf } from './tables.js';

/**
 * A parameterised SQL condition on a record table aliased `r`: each `$PARAM` takes
 * the next of `params`; `$1` is the seq after which to read and `$2` the site id.
 */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/** One row of a page: its seq, its id and the record as the device receives it, in JSON. */
interface PageRow {
  seq: number;
  id: string;
  json: string;
}

/**
 * A page as `GET /sync/:collection/pull` answers it (`PullResponse`), with each
 * document still in JSON text (`pullResponseJson` writes the answer), and the
 * ids of the records read, for the audit log.
 */
export interface PullPage {
  documents: string[];
  recordIds: string[];
  checkpoint: Checkpoint;
  remaining: number;
}

/** The answer's body: `PullResponse` in JSON, its documents written as they are. */
export function pullResponseJson(page: PullPage): string {
  const rest: Omit<PullResponse, 'documents'> = { checkpoint: page.checkpoint, remaining: page.remaining };
  return `{"documents":[${page.documents.join(',')}],${JSON.stringify(rest).slice(1)}`;
}

/**
 * Who pulls, for what a page checks and records on its way out: nothing leaves
 * for a principal no longer live, and every read of patient data is in the
 * audit log before its page leaves.
 */
export interface PullReader {
  /**
   * The principal's liveness in SQL (`livenessSql`, auth/is-active.ts): a page
   * read in one statement checks it, and records the read, in that statement.
   * Null when it has no SQL form; its pages are then read as the others.
   */
  liveness: (param: (value: unknown) => string) => { active: string; touch?: string } | null;
  /** The same check in a statement of its own, for a page read in a transaction: rejects when not live. */
  checkActive: () => Promise<void>;
  /** The read to record, when the collection holds patient data; null when it does not. */
  read: Omit<AuditEvent, 'recordIds' | 'count'> | null;
  audit: AuditLog;
}

/** Reads rows inside the pull's snapshot, for projections that need related records. */
export type ReadRows = <R extends object>(sql: string, params: unknown[]) => Promise<R[]>;

/** What one principal sees of one collection at one site. */
export interface PullView {
  siteId: string;
  /** Extra condition applied in SQL, before the limit, so pages stay full (docs/architecture.md §3.2). */
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
 *
 * With `through`, only what the set held at that seq: records unchanged since,
 * and patients who are in it through appointments or queue entries unchanged
 * since. Seqs at one site commit in order (store.ts locks the site), so such
 * records were in the set at every moment after that seq was committed.
 */
function priorityFilter(
  collection: CollectionName,
  today: { start: string; end: string },
  through?: number,
): SqlFilter | null {
  const upTo = (alias: string): SqlFilter =>
    through === undefined ? { sql: '', params: [] } : { sql: ` AND ${alias}.seq <= $PARAM`, params: [through] };
  const inToday = (field: string): SqlFilter => ({
    sql: `r.doc->>'${field}' >= $PARAM AND r.doc->>'${field}' < $PARAM${upTo('r').sql}`,
    params: [today.start, today.end, ...upTo('r').params],
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
           WHERE a.site_ids @> ARRAY[$2::uuid] AND a.doc->>'start' >= $PARAM AND a.doc->>'start' < $PARAM${upTo('a').sql}
          UNION
          SELECT (q.doc->>'patientId')::uuid FROM queue_entries q
           WHERE q.site_ids @> ARRAY[$2::uuid] AND q.doc->>'checkedInAt' >= $PARAM AND q.doc->>'checkedInAt' < $PARAM${upTo('q').sql})${upTo('r').sql}`,
        params: [
          today.start,
          today.end,
          ...upTo('a').params,
          today.start,
          today.end,
          ...upTo('q').params,
          ...upTo('r').params,
        ],
      };
    default:
      return null;
  }
}

/**
 * What the history phase leaves out because the priority phase sent it: the
 * working set as it stood when that phase began, on the same day. A record
 * changed since has a higher seq and is sent again.
 */
function notSentInPriority(
  collection: CollectionName,
  today: { start: string; end: string; date: string },
  workingSet: Checkpoint['workingSet'],
): SqlFilter | null {
  if (workingSet === undefined || workingSet.day !== today.date) return null;
  const sent = priorityFilter(collection, today, workingSet.seq);
  return sent && { sql: `(${sent.sql}) IS NOT TRUE`, params: sent.params };
}

/** Where working sets are read from (priorityFilter). */
const WORKING_SET_COLLECTIONS: readonly CollectionName[] = ['patients', 'appointments', 'queueEntries'];

/**
 * The last seq committed at the site in these collections, in this snapshot.
 * Every row of the site at or below it is already visible, as seqs at one site
 * commit in order.
 */
async function lastSeqAt(tx: Tx, collections: readonly CollectionName[], siteId: string): Promise<number> {
  const { rows } = await tx.query<{ seq: string | null }>(
    `SELECT GREATEST(${collections.map((c) => lastSiteSeq(tableOf[c], '$1')).join(', ')}) AS seq`,
    [siteId],
  );
  return Number(rows[0]?.seq ?? 0);
}

/** Today at a site, as a UTC range of ISO strings comparable with stored timestamps. */
export async function siteToday(db: pg.Pool | Tx, siteId: string, now = new Date()) {
  return todayIn(timezoneOf(await db.query<TimezoneRow>(timezoneSql('$1'), [siteId])), now);
}
type TimezoneRow = { timezone: string | null };
const timezoneSql = (site: string) => `SELECT doc->>'timezone' AS timezone FROM sites WHERE id = ${site}`;
const timezoneOf = ({ rows }: pg.QueryResult<TimezoneRow>) => rows[0]?.timezone ?? 'UTC';

interface Today {
  start: string;
  end: string;
  timezone: string;
  date: string;
}
/**
 * Each timezone's today as last reckoned, with its range in milliseconds: every
 * pull needs it, and an instant inside the range is on that day without asking
 * Intl for the local date (a few percent of a pull's CPU near the head).
 */
const todays = new Map<string, { today: Today; from: number; to: number }>();
function todayIn(timezone: string, now: Date): Today {
  const known = todays.get(timezone);
  const at = now.getTime();
  if (known !== undefined && at >= known.from && at < known.to) return known.today;
  const date = localDateAt(now, timezone);
  const { start, end } = dayRangeUtc(date, timezone);
  const today = { start: start.toISOString(), end: end.toISOString(), timezone, date };
  todays.set(timezone, { today, from: start.getTime(), to: end.getTime() });
  return today;
}

/**
 * Each site's timezone as last read, in this process: a guess that saves a
 * round trip, never trusted: the page read with it also reads the site's
 * timezone, and a page read with a stale one is read again (pullChanges).
 */
const knownTimezones = new Map<string, string>();

/**
 * A page that one statement cannot serve: read in the timezone the site no
 * longer has, or for a reader whose liveness has no SQL form. It is read again
 * in a transaction.
 */
class NotInOneStatement extends Error {}

/** What a page read in one statement checks and records there, besides reading it. */
interface OneStatement {
  reader: PullReader;
  /** The site's timezone the page was reckoned in, which it must still have. */
  timezone: string;
}

/**
 * One page of a collection's changes for a view. New devices get the priority
 * phase first, then the whole history from the beginning, less what the
 * priority phase already sent and has not changed since (`workingSet`); a page
 * that spans both phases is read in one snapshot, so it holds each record once.
 * Both are filtered in SQL before the limit, so every page but the last is full,
 * unless the device asked for the working set apart (`PullQuery.workingSet`).
 */
export async function pullChanges(
  db: Db,
  collection: CollectionName,
  view: PullView,
  query: PullQuery,
  reader: PullReader,
  now = new Date(),
): Promise<PullPage> {
  // A device following the history phase (every device near the head) needs one statement,
  // which sees one snapshot by itself and checks and records the read itself: no transaction,
  // and the site's timezone as last known.
  const known = knownTimezones.get(view.siteId);
  const today = known === undefined ? undefined : todayIn(known, now);
  const { checkpoint } = query;
  if (today !== undefined && checkpoint?.phase === 'history' && (!view.todayOnly || checkpoint.day === today.date)) {
    const client = await db.pool.connect();
    const page = await readPage(client, collection, view, query, today, reader)
      .catch((error: unknown) => {
        if (error instanceof NotInOneStatement) return null;
        throw error;
      })
      .finally(() => client.release());
    if (page !== null) return page;
  }
  // Otherwise in one snapshot, read-only but for the audit row, which writes nothing a pull
  // reads. The check asks the pool for a connection before the page's transaction does, and the
  // pool serves in turn: waiting for it while holding that transaction never deadlocks.
  const active = reader.checkActive();
  active.catch(() => undefined);
  const client = await db.pool.connect();
  try {
    // The site's timezone comes in the same round trip; a list of statements takes no parameters.
    const [, timezone] = (await client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ${reader.read ? '' : ' READ ONLY'};
       ${timezoneSql(`${client.escapeLiteral(view.siteId)}::uuid`)}`,
    )) as unknown as [pg.QueryResult, pg.QueryResult<TimezoneRow>];
    knownTimezones.set(view.siteId, timezoneOf(timezone));
    const page = await readPage(client, collection, view, query, todayIn(timezoneOf(timezone), now));
    await active;
    if (reader.read && page.recordIds.length > 0) {
      await reader.audit.record({ ...reader.read, recordIds: page.recordIds }, client);
    }
    await client.query('COMMIT');
    return page;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The page, read with `today` at the site. With `reader`, the page is read in
 * one statement outside a transaction, which also checks and records the read
 * (`selectPage`), or not at all (NotInOneStatement).
 */
async function readPage(
  client: Tx,
  collection: CollectionName,
  view: PullView,
  query: PullQuery,
  today: Today,
  reader?: PullReader,
): Promise<PullPage> {
  const { limit } = query;
  let { checkpoint } = query;
  const alone: OneStatement | undefined = reader && { reader, timezone: today.timezone };
  const day = view.todayOnly ? { day: today.date } : {};
  // The history phase of a day-scoped view also reads the day's leavers, to send them as tombstones.
  let historyView = (_leftAfter: number) => view;
  let isToday = (_doc: Doc) => true;
  if (view.todayOnly) {
    const field = view.todayOnly.field;
    const inToday: SqlFilter = {
      sql: `r.doc->>'${field}' >= $PARAM AND r.doc->>'${field}' < $PARAM`,
      params: [today.start, today.end],
    };
    const dayView = view;
    historyView = (leftAfter) => ({
      ...dayView,
      filter: andFilters(dayView.filter, {
        sql: `(${inToday.sql}) OR (r.updated_at >= $PARAM::timestamptz AND r.seq > $PARAM)`,
        params: [...inToday.params, today.start, leftAfter],
      }),
    });
    view = { ...view, filter: andFilters(view.filter, inToday) };
    isToday = (doc) => {
      const value = (doc as unknown as Record<string, unknown>)[field];
      return typeof value === 'string' && value >= today.start && value < today.end;
    };
    if (checkpoint !== undefined && checkpoint.day !== today.date) checkpoint = undefined;
  }
  const records: PageRow[] = [];
  let cp: Checkpoint = checkpoint ?? { phase: 'priority', seq: 0, ...day };
  const priority = priorityFilter(collection, today);
  // Only a phase that begins here knows what it will have sent; a checkpoint from before has no working set.
  if (cp.phase === 'priority' && cp.seq === 0 && cp.workingSet === undefined && priority !== null) {
    cp = {
      ...cp,
      workingSet: { day: today.date, seq: await lastSeqAt(client, WORKING_SET_COLLECTIONS, view.siteId) },
    };
  }
  const kept = { ...day, ...(cp.workingSet ? { workingSet: cp.workingSet } : {}) };
  // A device begins a day's view holding nothing of it: a record that left the day before its
  // sync began was never sent to it, so only later leavers need a tombstone.
  const leaversToo = historyView(cp.workingSet?.day === today.date ? cp.workingSet.seq : 0);
  const notSent = notSentInPriority(collection, today, cp.workingSet);
  if (cp.phase === 'priority') {
    const { page } = priority
      ? await selectPage(client, collection, view, cp.seq, limit, [priority], alone)
      : { page: [] };
    records.push(...page);
    cp = page.length > 0 ? { phase: 'priority', seq: page.at(-1)!.seq, ...kept } : cp;
    if (page.length < limit) cp = { phase: 'history', seq: 0, ...kept };
  }
  // A working set asked for apart ends on a page of its own (an empty one could not end it:
  // RxDB keeps no checkpoint from a page without documents).
  const workingSetEnds = query.workingSet === 'apart' && cp.phase === 'history' && records.length > 0;
  if (cp.phase === 'history' && records.length < limit && !workingSetEnds) {
    const seen = records.map((r) => r.id);
    const exclude: SqlFilter[] = seen.length > 0 ? [{ sql: 'r.id <> ALL($PARAM::uuid[])', params: [seen] }] : [];
    if (notSent) exclude.push(notSent);
    const { page, head } = await selectPage(
      client,
      collection,
      leaversToo,
      cp.seq,
      limit - records.length,
      exclude,
      alone,
    );
    records.push(...page);
    if (page.length > 0) cp = { phase: 'history', seq: page.at(-1)!.seq, ...kept };
    // At the end, stand at the site's last seq even when the rows after the last one
    // sent were left out (sent in the priority phase, or outside the view): a live
    // change starts from that seq, and a device elsewhere would pull for it again
    // (docs/architecture.md §3.7). Every row up to it is visible in this snapshot.
    if (page.length < limit - seen.length) cp = { ...cp, seq: Math.max(cp.seq, head) };
  }
  // Progress needs an estimate, not an exact count per page (which would make a first
  // sync cost O(N²/page)): counted once when a sync starts, then less what each page sends.
  // The history count includes the working set the priority phase sent, which history skips:
  // they are a day's worth, and leaving them out reads every row's document instead of the
  // (site_ids, seq) index alone, on the first page a new desk waits for.
  const estimate = checkpoint?.toCome;
  let remaining: number;
  if (records.length < limit && !workingSetEnds) remaining = 0;
  else if (estimate !== undefined && estimate > records.length) remaining = estimate - records.length;
  else {
    // In the priority phase the rest of the working set and the whole history are still to come.
    remaining =
      cp.phase === 'history'
        ? await countAfter(client, collection, leaversToo, cp.seq, [])
        : (await countAfter(client, collection, view, cp.seq, priority ? [priority] : [])) +
          (await countAfter(client, collection, leaversToo, 0, []));
  }
  cp = { ...cp, toCome: remaining };
  const json = records.map((r) => r.json);
  // A view that reshapes records reads them; every other sends the stored text as it is.
  if (view.project || view.todayOnly) {
    const docs = json.map((text) => JSON.parse(text) as Doc);
    const projected = view.project
      ? await view.project(
          docs,
          async <R extends object>(sql: string, params: unknown[]) => (await client.query<R>(sql, params)).rows,
        )
      : docs;
    const tombstone = view.todayOnly?.tombstone ?? ((d: Doc) => d);
    projected.forEach((doc, i) => {
      json[i] = JSON.stringify(isToday(docs[i]!) ? doc : { ...tombstone(doc), _deleted: true });
    });
  }
  return { documents: json, recordIds: records.map((r) => r.id), checkpoint: cp, remaining };
}

/**
 * A stored record as replicated, with its tombstone flag, in JSON: PostgreSQL writes
 * the stored document out as text either way, and parsing it here only to write it
 * out again cost more than the rest of a page. The flag is written last, so it wins
 * over any the document held, as `toStored` has it; a stored document is a non-empty object.
 */
function asSent(storedJson: string, deleted: boolean): string {
  return `${storedJson.slice(0, -1)}, "_deleted": ${deleted}}`;
}

/**
 * A page of the view's rows after `afterSeq`, and the site's last seq in the
 * collection beside it, in one round trip: a device near the head asks for
 * both every time. With `alone`, the same statement also checks that the site
 * still has the timezone the page was reckoned in and that the reader is still
 * live, marks the device seen, and records the read in the audit log, when the
 * page leaves: when it is live and the timezone holds.
 */
async function selectPage(
  tx: Tx,
  collection: CollectionName,
  view: PullView,
  afterSeq: number,
  limit: number,
  extra: SqlFilter[],
  alone?: OneStatement,
): Promise<{ page: PageRow[]; head: number }> {
  const { where, params } = whereClause(view, afterSeq, extra);
  const page = siteRowsWithHead(tableOf[collection], 'r.seq, r.id, r.deleted, r.doc::text AS json', '$2', where, limit);
  let sql = page;
  if (alone !== undefined) {
    const param = (value: unknown) => `$${params.push(value)}`;
    const live = alone.reader.liveness(param);
    if (live === null) throw new NotInOneStatement();
    const timezoneHolds = `coalesce((${timezoneSql('$2')}), 'UTC') = ${param(alone.timezone)}`;
    const read = alone.reader.read;
    const ctes = [
      `p AS (${page})`,
      ...(live.touch ? [`seen AS (${live.touch})`] : []),
      ...(read
        ? [
            `audited AS (${auditedReadSql(read, 'p', `p.seq IS NOT NULL AND ${live.active} AND ${timezoneHolds}`, param)})`,
          ]
        : []),
    ];
    sql = `WITH ${ctes.join(', ')}
      SELECT p.*, ${timezoneHolds} AS timezone_holds, ${live.active} AS active FROM p ORDER BY p.seq`;
  }
  // Only the one-statement page, which devices near the head send every second, is prepared: a page read in
  // a transaction takes its limit from what the priority phase left, so its texts are too many to keep.
  const statement = alone === undefined ? { text: sql, values: params } : prepared(sql, params);
  const { rows } = await tx.query<{
    seq: string | null;
    id: string;
    deleted: boolean;
    json: string;
    head: string | null;
    timezone_holds?: boolean;
    active?: boolean;
  }>(statement);
  if (alone !== undefined && rows[0]?.timezone_holds !== true) {
    knownTimezones.delete(view.siteId);
    throw new NotInOneStatement();
  }
  if (alone !== undefined && rows[0]?.active !== true) throw revokedError();
  return {
    page: rows.flatMap((row) =>
      row.seq === null ? [] : [{ seq: Number(row.seq), id: row.id, json: asSent(row.json, row.deleted) }],
    ),
    head: Number(rows[0]?.head ?? 0),
  };
}

async function countAfter(
  tx: Tx,
  collection: CollectionName,
  view: PullView,
  afterSeq: number,
  extra: SqlFilter[],
): Promise<number> {
  const { where, params } = whereClause(view, afterSeq, extra);
  const { rows } = await tx.query<{ count: string }>(countSiteRows(tableOf[collection], '$2', where), params);
  return Number(rows[0]!.count);
}

function andFilters(a: SqlFilter | undefined, b: SqlFilter): SqlFilter {
  return a === undefined ? b : { sql: `(${a.sql}) AND (${b.sql})`, params: [...a.params, ...b.params] };
}

/**
 * Builds `seq > $1 AND filters` for the site `$2` (site-rows.ts adds the site),
 * numbering each filter's `$PARAM` placeholders in turn.
 */
function whereClause(view: PullView, afterSeq: number, extra: SqlFilter[]) {
  const params: unknown[] = [afterSeq, view.siteId];
  const parts = ['r.seq > $1'];
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
