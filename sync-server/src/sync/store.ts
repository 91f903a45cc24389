import {
  collectionSpec,
  isSameRecord,
  mergeRecords,
  normalizeRecord,
  parseRecord,
  type AnyRecord,
  type CollectionName,
  type ParseResult,
  type Replicated,
} from '@medisync/shared/domain';
import type { PushRow, RejectedRow } from '@medisync/shared/sync';
import pg from 'pg';
import { appendToFeed } from '#changes/append';
import { prepared, type Db, type Tx } from '#db/db';
import { lastSiteSeq } from './site-rows.js';
import { tableOf } from './tables.js';

/** A record as stored and replicated: always with its tombstone flag. */
export type Doc = Replicated<AnyRecord> & { _deleted: boolean };

export interface StoredRecord {
  doc: Doc;
  seq: number;
  siteIds: string[];
}

/** One committed change batch of a collection at one site, for live events. */
export interface CommittedChange {
  collection: CollectionName;
  siteId: string;
  fromSeq: number;
  toSeq: number;
  records: StoredRecord[];
}

export interface PushResult {
  conflicts: Doc[];
  rejected: RejectedRow[];
  changes: CommittedChange[];
  /** Whether `beforeCommit` ran in the transaction that stored the rows. */
  committedWith: boolean;
}

/**
 * What the server adds to a record that only it may know: an MRN, an attention
 * flag for a clash between devices. Runs inside the write transaction, after the
 * merge, with the site locked. Must be idempotent: a rule applied to its own
 * output changes nothing, or a repeated push would write again.
 *
 * A `ServerRule` looks at one record and what is stored; the API's single-record
 * writes use such rules. A `BatchRule` looks at a whole push at once, with a
 * query or two however many rows it holds, and judges each row as if the rows
 * before it in the batch were already stored: the sync rules are of this kind.
 */
export type ServerRule = (tx: Tx, record: Doc, previous: Doc | undefined) => Promise<Doc>;
export interface RuleRow {
  record: Doc;
  previous: Doc | undefined;
}
export interface BatchRule {
  batch: (tx: Tx, rows: readonly RuleRow[]) => Promise<Doc[]>;
}
export type ServerRules = Partial<Record<CollectionName, (ServerRule | BatchRule)[]>>;

/**
 * Can this principal write this record? Returns a reason when not. The record
 * is checked both as pushed and as it stood before.
 */
export type WriteCheck = (collection: CollectionName, next: Doc, previous: Doc | undefined) => string | null;

export interface PushOptions {
  rules?: ServerRules;
  mayWrite?: WriteCheck;
  /**
   * Validates a pushed row. Defaults to the collection's full schema; a kiosk's
   * rows are checked against its projection (see sync/access.ts).
   */
  parse?: (data: unknown) => ParseResult<Replicated<AnyRecord>>;
  /**
   * Keeps only what the pusher may set, before the merge: a kiosk's check-in
   * brings a status event, not a new start time.
   */
  restrict?: (incoming: Doc, previous: Doc | undefined) => Doc;
  /**
   * The pusher's view of a record. Pushed and stored states are compared in it,
   * so a device holding a projection is not told of a conflict in fields it never holds.
   */
  visible?: (doc: Doc) => unknown;
  /**
   * Runs inside the write transaction once, with every record actually written,
   * its state before (undefined when new) and after: the webhook outbox derives
   * its events here, so an event exists exactly when its change committed, and a
   * repeated push, which writes nothing, raises nothing.
   */
  afterWrite?: AfterWrite;
  beforeCommit?: BeforeCommit;
}

export type AfterWrite = (
  tx: Tx,
  collection: CollectionName,
  writes: readonly { previous: Doc | undefined; next: Doc }[],
) => Promise<void>;

/**
 * Runs last in a push's write transaction, with every row rejected so far (an
 * audit row commits with the change it records). Not run when no row got that
 * far, nor in the row-by-row fallback: `PushResult.committedWith` says whether it ran.
 */
export type BeforeCommit = (tx: Tx, rejected: RejectedRow[]) => Promise<void>;

/**
 * Stores pushed rows. Each row is validated on its own; a bad row is rejected
 * with the field named while the good rows of the batch are stored. Every row
 * is merged with the current master by the collection's merge function, so a
 * device's offline write is never dropped; the merged state goes back to the
 * device as a "conflict" whenever it differs from what the device sent.
 *
 * Pushes to the same sites that wait for their turn together are written in
 * one transaction (db/write-groups.ts); each still gets its own answer, and a
 * group that fails is written again push by push, so one push's failure is
 * never another's.
 */
export async function pushRecords(
  db: Db,
  collection: CollectionName,
  rows: PushRow[],
  options: PushOptions = {},
): Promise<PushResult> {
  const { byId, rejected } = validRows(collection, rows, options);
  if (byId.size === 0) return { conflicts: [], rejected, changes: [], committedWith: false };

  const request: WriteRequest = { byId, invalid: rejected, options };
  const sites = sitesOfRequest(collection, request);
  const outcome = await db.writeGroups.join(
    `${collection}:${sites.join(',')}`,
    request,
    byId.size,
    (members) => members.every((member) => groupable(member, request)),
    (close) => writeGroup(db, collection, sites, close),
  );
  return { ...outcome, rejected: [...rejected, ...outcome.rejected] };
}

/**
 * A push's rows checked one by one: the valid ones by id, the others refused
 * with the field named. The same record twice in one batch: the later state
 * supersedes the earlier.
 */
function validRows(
  collection: CollectionName,
  rows: PushRow[],
  options: PushOptions,
): { byId: WriteRequest['byId']; rejected: RejectedRow[] } {
  const rejected: RejectedRow[] = [];
  const byId: WriteRequest['byId'] = new Map();
  for (const row of rows) {
    const id = typeof row.newDocumentState.id === 'string' ? row.newDocumentState.id : null;
    const parsed = options.parse ? options.parse(row.newDocumentState) : parseRecord(collection, row.newDocumentState);
    if (!parsed.ok) {
      rejected.push({
        id,
        error: {
          code: 'invalid-record',
          message: `${collection} record ${id ?? '(no id)'} is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          details: { issues: parsed.issues },
        },
      });
      continue;
    }
    const incoming = { ...parsed.record, _deleted: row.newDocumentState._deleted === true } as Doc;
    byId.set(incoming.id, { incoming, assumed: (row.assumedMasterState ?? undefined) as Doc | undefined });
  }
  return { byId, rejected };
}

/** One push's validated rows on their way to a write transaction. */
interface WriteRequest {
  byId: Map<string, { incoming: Doc; assumed: Doc | undefined }>;
  /** Rows refused before the write, for its `beforeCommit`. */
  invalid: RejectedRow[];
  options: PushOptions;
}

/** The sites a push writes to, in the order their locks are taken. */
function sitesOfRequest(collection: CollectionName, request: WriteRequest): string[] {
  const spec = collectionSpec(collection);
  return [...new Set([...request.byId.values()].flatMap((v) => spec.sitesOf(v.incoming as never)))].sort();
}

/**
 * Two pushes share a transaction only when the server applies the same rules
 * and outlets to both and they write no record in common: a record pushed
 * twice is merged push after push, each against what the other stored.
 */
function groupable(a: WriteRequest, b: WriteRequest): boolean {
  return (
    a.options.rules === b.options.rules &&
    a.options.afterWrite === b.options.afterWrite &&
    [...b.byId.keys()].every((id) => !a.byId.has(id))
  );
}

/**
 * A group's pushes in one transaction. When it fails, a group of several is
 * written again push by push, so only a push at fault fails.
 */
async function writeGroup(
  db: Db,
  collection: CollectionName,
  sites: string[],
  close: () => readonly WriteRequest[],
): Promise<PromiseSettledResult<PushResult>[]> {
  try {
    const outcomes = await inTransaction(db, sites, (tx) => writeBatch(tx, collection, sites, close()));
    return outcomes.map((value) => ({ status: 'fulfilled', value }));
  } catch (error) {
    const members = close();
    return Promise.allSettled(
      members.length > 1
        ? members.map((member) => writeAlone(db, collection, sites, member))
        : [storeOneByOne(db, collection, members[0]!, error)],
    );
  }
}

/** One push's write in a transaction of its own. */
async function writeAlone(
  db: Db,
  collection: CollectionName,
  sites: string[],
  request: WriteRequest,
): Promise<PushResult> {
  return inTransaction(db, sites, async (tx) => (await writeBatch(tx, collection, sites, [request]))[0]!).catch(
    (error: unknown) => storeOneByOne(db, collection, request, error),
  );
}

/** `work` in a transaction that holds the sites' locks from its start, taking its turn in this process first. */
function inTransaction<T>(db: Db, sites: string[], work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.siteWrites.run(sites, () =>
    withRetry(() =>
      db.transaction(work, {
        // The sites are locked in the round trip that begins the transaction.
        begin: siteLocksSql(sites),
      }),
    ),
  );
}

/**
 * A batch's write, in its transaction with its sites locked: read, merge,
 * rules, store, feed. The batch is one or more pushes (`requests`), their rows
 * judged in order as if stored one after another, each push answered apart.
 */
async function writeBatch(
  tx: Tx,
  collection: CollectionName,
  sites: readonly string[],
  requests: readonly WriteRequest[],
): Promise<PushResult[]> {
  const rows = requests.flatMap((request, r) => [...request.byId.values()].map((row) => ({ ...row, r })));
  // One round trip for what the batch must know first, however many rows and sites it has.
  const asked = referencesOf(
    collection,
    rows.map((v) => v.incoming),
  );
  const { current, fromSeq, referenced } = await readForWrite(
    tx,
    collection,
    rows.map((v) => v.incoming.id),
    sites,
    asked,
  );
  // A record moving to another site locks that site too (providers can).
  const moved = [...new Set([...current.values()].flatMap((c) => c.siteIds).filter((s) => !sites.includes(s)))];
  if (moved.length > 0) {
    await lockSites(tx, moved);
    for (const [site, seq] of await lastSeqBySite(tx, collection, moved)) fromSeq.set(site, seq);
  }
  // A stored state may name records the pushed one does not, which the merge can keep.
  const askedKeys = new Set(asked.map(referenceKey));
  const more = referencesOf(
    collection,
    [...current.values()].map((c) => c.doc),
  ).filter((r) => !askedKeys.has(referenceKey(r)));
  if (more.length > 0) for (const [key, siteIds] of await referencedSites(tx, more)) referenced.set(key, siteIds);

  const answers = requests.map(() => ({ conflicts: [] as Doc[], rejected: [] as RejectedRow[] }));
  const refuse = (r: number, id: string, code: string, message: string, details: Record<string, unknown> = {}) =>
    answers[r]!.rejected.push({ id, error: { code, message, details } });
  // Merged in memory first; the server's rules then see the whole batch, and one statement writes it.
  let merged: (RuleRow & { incoming: Doc; assumed: Doc | undefined; r: number })[] = [];
  for (const { incoming, assumed, r } of rows) {
    const { options } = requests[r]!;
    const previous = current.get(incoming.id)?.doc;
    const refusal = options.mayWrite?.(collection, incoming, previous) ?? null;
    if (refusal !== null) {
      refuse(r, incoming.id, 'forbidden', refusal);
      continue;
    }
    const allowed = options.restrict ? options.restrict(incoming, previous) : incoming;
    const record = withTombstone(
      previous ? mergeRecords(collection, previous, allowed) : normalizeRecord(collection, allowed),
    );
    const foreign = foreignReference(collection, record, referenced);
    if (foreign !== null) {
      refuse(r, incoming.id, 'invalid-reference', foreign);
      continue;
    }
    merged.push({ record, previous, incoming, assumed, r });
  }
  // The same for every push of a batch (`groupable`).
  const { rules, afterWrite } = requests[0]!.options;
  for (const rule of rules?.[collection] ?? []) {
    const records = await applyRule(tx, rule, merged);
    merged = merged.map((row, i) => ({ ...row, record: withTombstone(records[i]!) }));
  }
  const toWrite: RuleRow[] = [];
  for (const { record: next, previous, incoming, assumed, r } of merged) {
    const { parse, visible } = requests[r]!.options;
    const asPushed = isSameRecord(next, incoming);
    // A row left as pushed, or a new one, was already checked by the collection's own schema;
    // the rules only set what the server owns (an MRN, attention flags). What a merge made is checked.
    const checked = parse === undefined && (asPushed || previous === undefined) ? null : parseRecord(collection, next);
    if (checked !== null && !checked.ok) {
      refuse(
        r,
        incoming.id,
        'invalid-merge',
        `${collection} record ${incoming.id} would become invalid: ${checked.issues[0]!.path}: ${checked.issues[0]!.message}`,
        { issues: checked.issues },
      );
      continue;
    }
    if (previous === undefined || !isSameRecord(next, previous)) toWrite.push({ record: next, previous });
    const same = (a: Doc, b: Doc) => {
      if (!visible) return isSameRecord(a, b);
      const [seenA, seenB] = [visible(a), visible(b)];
      // A write-only collection: the pusher holds nothing of the record, so there is nothing to tell it.
      return seenA === null || seenB === null ? seenA === seenB : isSameRecord(seenA as object, seenB as object);
    };
    const assumedIsCurrent = previous === undefined || (assumed !== undefined && same(assumed, previous));
    if (!assumedIsCurrent || !(visible ? same(next, incoming) : asPushed)) answers[r]!.conflicts.push(next);
  }
  const written = await storeRecords(
    tx,
    collection,
    toWrite.map((row) => row.record),
  );
  if (toWrite.length > 0) {
    await afterWrite?.(
      tx,
      collection,
      toWrite.map((row) => ({ previous: row.previous, next: row.record })),
    );
  }
  // Every committed change is in the change feed, written here so it commits with the change (§9.2).
  await appendToFeed(tx, groupBySite(collection, written, fromSeq), (id) => current.get(id)?.doc);
  // Each push's own audit row; queued together, they go out one after another without waiting on this code.
  await Promise.all(
    requests.map((request, r) => request.options.beforeCommit?.(tx, [...request.invalid, ...answers[r]!.rejected])),
  );
  return requests.map((request, r) => ({
    ...answers[r]!,
    changes: groupBySite(
      collection,
      written.filter((record) => request.byId.has(record.doc.id)),
      fromSeq,
    ),
    committedWith: request.options.beforeCommit !== undefined,
  }));
}

/** Writes records the server itself makes (seed, API), through the same merge and rules. */
export async function writeRecords(
  db: Db,
  collection: CollectionName,
  records: AnyRecord[],
  options: PushOptions = {},
) {
  const BATCH = 500;
  const changes: CommittedChange[] = [];
  for (let i = 0; i < records.length; i += BATCH) {
    const rows = records
      .slice(i, i + BATCH)
      .map((r) => ({ newDocumentState: r as unknown as Record<string, unknown> }));
    const result = await pushRecords(db, collection, rows, options);
    throwIfRefused(collection, result.rejected);
    changes.push(...result.changes);
  }
  return changes;
}

/**
 * Writes records the server makes as part of a write already under way, in
 * its transaction, so they commit (or not) with it: accounts for the patients
 * it stores. Their sites are locked (again, if the write holds them already:
 * the lock is re-entrant). A refused record fails the whole write.
 */
export async function writeInTransaction(
  tx: Tx,
  collection: CollectionName,
  records: AnyRecord[],
  options: PushOptions,
): Promise<void> {
  const { byId, rejected } = validRows(
    collection,
    records.map((r) => ({ newDocumentState: r as never })),
    options,
  );
  throwIfRefused(collection, rejected);
  if (byId.size === 0) return;
  const request: WriteRequest = { byId, invalid: [], options };
  const sites = sitesOfRequest(collection, request);
  await lockSites(tx, sites);
  const [result] = await writeBatch(tx, collection, sites, [request]);
  throwIfRefused(collection, result!.rejected);
}

/** The server's own writes make valid records: a refusal there is a defect, and fails the write. */
function throwIfRefused(collection: CollectionName, rejected: readonly RejectedRow[]): void {
  if (rejected.length > 0) throw new Error(`could not write ${collection}: ${rejected[0]!.error.message}`);
}

/**
 * Serialises writes per site. Seq numbers are taken while holding the lock, so
 * at any one site they commit in the order they were taken, and a pull by
 * `seq > checkpoint` can never pass a row that is still to commit.
 */
export async function lockSites(tx: Tx, siteIds: string[]): Promise<void> {
  if (siteIds.length > 0) await tx.query(siteLocksSql(siteIds));
}

/** The statements that take `lockSites`' locks, for a transaction to take them as it begins. */
export function siteLocksSql(siteIds: string[]): string {
  // Always in the same order, so two transactions never wait on each other in a cycle.
  return [...new Set(siteIds)]
    .sort()
    .map((siteId) => `SELECT pg_advisory_xact_lock(hashtextextended(${pg.escapeLiteral(siteId)}, 7274));`)
    .join(' ');
}

interface Reference {
  target: CollectionName;
  id: string;
}
const referenceKey = (r: Reference) => `${r.target}:${r.id}`;

/** The records `docs` name in their reference fields (collections.ts), each once. */
function referencesOf(collection: CollectionName, docs: readonly Doc[]): Reference[] {
  const found = new Map<string, Reference>();
  for (const { field, collection: target } of collectionSpec(collection).references ?? []) {
    for (const doc of docs) {
      const id = (doc as unknown as Record<string, unknown>)[field];
      if (typeof id === 'string') found.set(`${target}:${id}`, { target, id });
    }
  }
  return [...found.values()];
}

/**
 * SELECTs, one per collection, answering a row for each referenced record the
 * server holds: `kind` is its collection; the columns are readForWrite's.
 */
function referencedSql(references: readonly Reference[], param: (value: unknown) => string): string[] {
  const targets = [...new Set(references.map((r) => r.target))];
  return targets.map((target) => {
    const ids = references.filter((r) => r.target === target).map((r) => r.id);
    return `SELECT '${target}' AS kind, id, NULL::bigint AS seq, NULL::boolean AS deleted, NULL::jsonb AS doc, site_ids
      FROM ${tableOf[target]} WHERE id = ANY(${param(ids)}::uuid[])`;
  });
}

/**
 * What a batch's write reads first, in one statement, with its sites locked:
 * the stored state of its records (locked for update), each site's last seq in
 * the collection, and the sites of the records the pushed ones refer to (keyed
 * `collection:id`; a record not on the server is absent).
 */
async function readForWrite(
  tx: Tx,
  collection: CollectionName,
  ids: string[],
  sites: readonly string[],
  references: readonly Reference[],
) {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const table = tableOf[collection];
  const locked = `SELECT id, seq, deleted, doc, site_ids FROM ${table} WHERE id = ANY(${param(ids)}::uuid[]) FOR UPDATE`;
  const parts = [
    `SELECT 'current' AS kind, id, seq, deleted, doc, site_ids FROM locked`,
    ...sites.map((site) => {
      const p = param(site);
      return `SELECT 'last-seq', ${p}::uuid, ${lastSiteSeq(table, p)}, NULL, NULL, NULL`;
    }),
    ...referencedSql(references, param),
  ];
  const { rows } = await tx.query<{
    kind: string;
    id: string;
    seq: string | null;
    deleted: boolean;
    doc: AnyRecord;
    site_ids: string[];
  }>(prepared(`WITH locked AS (${locked}) ${parts.join(' UNION ALL ')}`, params));
  const stored = new Map<string, StoredRecord>();
  const fromSeq = new Map<string, number>();
  const referenced = new Map<string, string[]>();
  for (const row of rows) {
    if (row.kind === 'current') stored.set(row.id, toStored({ ...row, seq: row.seq! }));
    else if (row.kind === 'last-seq') fromSeq.set(row.id, Number(row.seq ?? 0));
    else referenced.set(`${row.kind}:${row.id}`, row.site_ids);
  }
  return { current: stored, fromSeq, referenced };
}

/** The sites of the referenced records the server holds, keyed `collection:id` (see readForWrite). */
async function referencedSites(tx: Tx, references: readonly Reference[]): Promise<Map<string, string[]>> {
  const params: unknown[] = [];
  const { rows } = await tx.query<{ kind: string; id: string; site_ids: string[] }>(
    referencedSql(references, (value) => `$${params.push(value)}`).join(' UNION ALL '),
    params,
  );
  return new Map(rows.map((row) => [`${row.kind}:${row.id}`, row.site_ids]));
}

/**
 * Why a record may not be stored because it points at a record of another
 * site, or null. A reference the server does not know yet is let through: a
 * device offline creates a patient and their appointment in whatever order its
 * collections later sync.
 */
function foreignReference(collection: CollectionName, record: Doc, referenced: Map<string, string[]>): string | null {
  const spec = collectionSpec(collection);
  const own = spec.sitesOf(record as never);
  for (const { field, collection: target } of spec.references ?? []) {
    const id = (record as unknown as Record<string, unknown>)[field];
    if (typeof id !== 'string') continue;
    const sites = referenced.get(`${target}:${id}`);
    if (sites !== undefined && !own.every((site) => sites.includes(site))) {
      return `${collection} record ${record.id}: ${field} ${id} is a record of another site`;
    }
  }
  return null;
}

/** Each site's last seq in the collection: a probe of an ordered index per site, whatever the history. */
async function lastSeqBySite(tx: Tx, collection: CollectionName, siteIds: string[]) {
  const sites = [...new Set(siteIds)];
  if (sites.length === 0) return new Map<string, number>();
  const { rows } = await tx.query<Record<string, string | null>>(
    `SELECT ${sites.map((_, i) => `${lastSiteSeq(tableOf[collection], `$${i + 1}`)} AS s${i}`).join(', ')}`,
    sites,
  );
  return new Map(sites.map((site, i) => [site, Number(rows[0]?.[`s${i}`] ?? 0)]));
}

/** Writes records in one statement, each with the next seq in the order given. */
async function storeRecords(tx: Tx, collection: CollectionName, records: Doc[]): Promise<StoredRecord[]> {
  if (records.length === 0) return [];
  const rows = records.map((record) => {
    const { _deleted, ...doc } = record as Doc & { _deleted?: boolean };
    return { id: doc.id, site_ids: collectionSpec(collection).sitesOf(doc as never), deleted: _deleted === true, doc };
  });
  const { rows: stored } = await tx.query<{ id: string; seq: string }>(
    prepared(
      `INSERT INTO ${tableOf[collection]} (id, site_ids, seq, deleted, doc)
     SELECT r.id, r.site_ids, nextval('change_seq'), r.deleted, r.doc
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, site_ids uuid[], deleted boolean, doc jsonb))
            WITH ORDINALITY AS r(id, site_ids, deleted, doc, n)
      ORDER BY r.n
     ON CONFLICT (id) DO UPDATE
       SET site_ids = EXCLUDED.site_ids, seq = EXCLUDED.seq, deleted = EXCLUDED.deleted,
           doc = EXCLUDED.doc, updated_at = now()
     RETURNING id, seq`,
      [JSON.stringify(rows)],
    ),
  );
  const seqOf = new Map(stored.map((r) => [r.id, Number(r.seq)]));
  return rows.map((row) => ({
    doc: { ...row.doc, _deleted: row.deleted } as Doc,
    seq: seqOf.get(row.id)!,
    siteIds: row.site_ids,
  }));
}

/** Runs one rule over the batch: a batch rule at once, a one-record rule row by row. */
async function applyRule(tx: Tx, rule: ServerRule | BatchRule, rows: readonly RuleRow[]): Promise<Doc[]> {
  if (typeof rule !== 'function') return rule.batch(tx, rows);
  const out: Doc[] = [];
  for (const row of rows) out.push(await rule(tx, row.record, row.previous));
  return out;
}

export function toStored(row: {
  seq: string | number;
  deleted: boolean;
  doc: AnyRecord;
  site_ids: string[];
}): StoredRecord {
  return { doc: { ...row.doc, _deleted: row.deleted } as Doc, seq: Number(row.seq), siteIds: row.site_ids };
}

function withTombstone(record: Replicated<AnyRecord>): Doc {
  return { ...record, _deleted: record._deleted === true };
}

function groupBySite(collection: CollectionName, written: StoredRecord[], fromSeq: Map<string, number>) {
  const bySite = new Map<string, StoredRecord[]>();
  for (const record of written) {
    for (const siteId of record.siteIds) {
      const records = bySite.get(siteId);
      if (records === undefined) bySite.set(siteId, [record]);
      else records.push(record);
    }
  }
  return [...bySite].map(([siteId, records]) => ({
    collection,
    siteId,
    fromSeq: fromSeq.get(siteId) ?? 0,
    toSeq: Math.max(...records.map((r) => r.seq)),
    records,
  }));
}

/** Deadlocks and serialisation failures are safe to retry: the transaction left no trace. */
async function withRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

/**
 * The fallback when a batch's transaction fails on a value the database refuses
 * though validation let it through (SQLSTATE class 22, a data exception): each
 * row is stored on its own, so only the row that causes it is rejected, with
 * the database's reason, and the good rows of the batch are still stored. Any
 * other failure is not about one row and is rethrown.
 */
async function storeOneByOne(
  db: Db,
  collection: CollectionName,
  request: WriteRequest,
  error: unknown,
): Promise<PushResult> {
  const rows = [...request.byId.values()];
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('22')) throw error;
  if (rows.length === 1) {
    const id = rows[0]!.incoming.id;
    const reason = error instanceof Error ? error.message : String(error);
    return {
      conflicts: [],
      changes: [],
      committedWith: false,
      rejected: [
        {
          id,
          error: {
            code: 'unstorable-record',
            message: `${collection} record ${id} could not be stored: ${reason}`,
            details: { sqlState: code },
          },
        },
      ],
    };
  }
  const results: PushResult[] = [];
  // Each row's own write records nothing itself: the caller records the push (`committedWith`).
  const options = { ...request.options, beforeCommit: undefined };
  for (const row of rows) {
    const alone: WriteRequest = { byId: new Map([[row.incoming.id, row]]), invalid: [], options };
    results.push(await writeAlone(db, collection, sitesOfRequest(collection, alone), alone));
  }
  return {
    conflicts: results.flatMap((r) => r.conflicts),
    rejected: results.flatMap((r) => r.rejected),
    changes: results.flatMap((r) => r.changes),
    committedWith: false,
  };
}
