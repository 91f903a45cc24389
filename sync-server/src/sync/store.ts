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
import type { Db, Tx } from '#db/db';
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
}

/**
 * What the server adds to a record that only it may know: an MRN, an attention
 * flag for a clash between devices. Runs inside the write transaction, after the
 * merge, with the site locked. Must be idempotent: a rule applied to its own
 * output changes nothing, or a repeated push would write again.
 */
export type ServerRule = (tx: Tx, record: Doc, previous: Doc | undefined) => Promise<Doc>;
export type ServerRules = Partial<Record<CollectionName, ServerRule[]>>;

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
   * Runs inside the write transaction for each record actually written, with its
   * state before (undefined when new) and after: the webhook outbox derives its
   * events here, so an event exists exactly when its change committed, and a
   * repeated push, which writes nothing, raises nothing.
   */
  afterWrite?: AfterWrite;
}

export type AfterWrite = (tx: Tx, collection: CollectionName, previous: Doc | undefined, next: Doc) => Promise<void>;

/**
 * Stores pushed rows. Each row is validated on its own; a bad row is rejected
 * with the field named while the good rows of the batch are stored. Every row
 * is merged with the current master by the collection's merge function, so a
 * device's offline write is never dropped; the merged state goes back to the
 * device as a "conflict" whenever it differs from what the device sent.
 */
export async function pushRecords(
  db: Db,
  collection: CollectionName,
  rows: PushRow[],
  options: PushOptions = {},
): Promise<PushResult> {
  const rejected: RejectedRow[] = [];
  const valid: { incoming: Doc; assumed: Doc | undefined }[] = [];
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
    valid.push({ incoming, assumed: (row.assumedMasterState ?? undefined) as Doc | undefined });
  }
  // The same record twice in one batch: the later state supersedes the earlier.
  const byId = new Map(valid.map((v) => [v.incoming.id, v]));
  if (byId.size === 0) return { conflicts: [], rejected, changes: [] };

  const outcome = await withRetry(() =>
    db.transaction(async (tx) => {
      const spec = collectionSpec(collection);
      const sites = new Set([...byId.values()].flatMap((v) => spec.sitesOf(v.incoming as never)));
      await lockSites(tx, [...sites]);
      const current = await readForUpdate(tx, collection, [...byId.keys()]);
      // A record moving to another site locks that site too (providers can).
      const moved = [...current.values()].flatMap((c) => c.siteIds).filter((s) => !sites.has(s));
      if (moved.length > 0) await lockSites(tx, moved);
      const fromSeq = await lastSeqBySite(tx, collection, [...sites, ...moved]);

      const conflicts: Doc[] = [];
      const txRejected: RejectedRow[] = [];
      const visible = options.visible;
      const written: StoredRecord[] = [];
      for (const { incoming, assumed } of byId.values()) {
        const previous = current.get(incoming.id)?.doc;
        const refusal = options.mayWrite?.(collection, incoming, previous) ?? null;
        if (refusal !== null) {
          txRejected.push({ id: incoming.id, error: { code: 'forbidden', message: refusal, details: {} } });
          continue;
        }
        const allowed = options.restrict ? options.restrict(incoming, previous) : incoming;
        let next = withTombstone(
          previous ? mergeRecords(collection, previous, allowed) : normalizeRecord(collection, allowed),
        );
        for (const rule of options.rules?.[collection] ?? []) next = withTombstone(await rule(tx, next, previous));
        const checked = parseRecord(collection, next);
        if (!checked.ok) {
          txRejected.push({
            id: incoming.id,
            error: {
              code: 'invalid-merge',
              message: `${collection} record ${incoming.id} would become invalid: ${checked.issues[0]!.path}: ${checked.issues[0]!.message}`,
              details: { issues: checked.issues },
            },
          });
          continue;
        }
        if (previous === undefined || !isSameRecord(next, previous)) {
          written.push(await writeRecord(tx, collection, next));
          await options.afterWrite?.(tx, collection, previous, next);
        }
        const same = (a: Doc, b: Doc) =>
          visible ? isSameRecord(visible(a) as object, visible(b) as object) : isSameRecord(a, b);
        const assumedIsCurrent = previous === undefined || (assumed !== undefined && same(assumed, previous));
        if (!assumedIsCurrent || !same(next, incoming)) conflicts.push(next);
      }
      return { conflicts, rejected: txRejected, changes: groupBySite(collection, written, fromSeq) };
    }),
  );
  return { conflicts: outcome.conflicts, rejected: [...rejected, ...outcome.rejected], changes: outcome.changes };
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
    if (result.rejected.length > 0)
      throw new Error(`could not write ${collection}: ${result.rejected[0]!.error.message}`);
    changes.push(...result.changes);
  }
  return changes;
}

/**
 * Serialises writes per site. Seq numbers are taken while holding the lock, so
 * at any one site they commit in the order they were taken, and a pull by
 * `seq > checkpoint` can never pass a row that is still to commit.
 */
export async function lockSites(tx: Tx, siteIds: string[]): Promise<void> {
  // Always in the same order, so two transactions never wait on each other in a cycle.
  for (const siteId of [...new Set(siteIds)].sort()) {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7274))', [siteId]);
  }
}

async function readForUpdate(tx: Tx, collection: CollectionName, ids: string[]) {
  const { rows } = await tx.query<{ id: string; seq: string; deleted: boolean; doc: AnyRecord; site_ids: string[] }>(
    `SELECT id, seq, deleted, doc, site_ids FROM ${tableOf[collection]} WHERE id = ANY($1::uuid[]) FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toStored(r)]));
}

async function lastSeqBySite(tx: Tx, collection: CollectionName, siteIds: string[]) {
  const { rows } = await tx.query<{ site: string; seq: string | null }>(
    `SELECT site, (SELECT max(seq) FROM ${tableOf[collection]} WHERE site_ids @> ARRAY[site]) AS seq
       FROM unnest($1::uuid[]) AS site`,
    [[...new Set(siteIds)]],
  );
  return new Map(rows.map((r) => [r.site, Number(r.seq ?? 0)]));
}

async function writeRecord(tx: Tx, collection: CollectionName, record: Doc): Promise<StoredRecord> {
  const { _deleted, ...doc } = record as Doc & { _deleted?: boolean };
  const siteIds = collectionSpec(collection).sitesOf(doc as never);
  const { rows } = await tx.query<{ seq: string }>(
    `INSERT INTO ${tableOf[collection]} (id, site_ids, seq, deleted, doc)
     VALUES ($1, $2::uuid[], nextval('change_seq'), $3, $4)
     ON CONFLICT (id) DO UPDATE
       SET site_ids = EXCLUDED.site_ids, seq = EXCLUDED.seq, deleted = EXCLUDED.deleted,
           doc = EXCLUDED.doc, updated_at = now()
     RETURNING seq`,
    [doc.id, siteIds, _deleted === true, JSON.stringify(doc)],
  );
  return { doc: { ...doc, _deleted: _deleted === true } as Doc, seq: Number(rows[0]!.seq), siteIds };
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
    for (const siteId of record.siteIds) bySite.set(siteId, [...(bySite.get(siteId) ?? []), record]);
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
