import {
  appointmentFields,
  patientSchema,
  providerSchema,
  queueEntryFields,
  roomSchema,
  scheduleSchema,
  type AnyRecord,
  type CollectionName,
  type RecordTypes,
} from '@medisync/shared/domain';
import { z } from 'zod';
import type { Db, Tx } from '#db/db';
import { HttpError } from '#http/errors';
import type { Doc } from '#sync/store';
import { tableOf } from '#sync/tables';

/**
 * What the API shows of a record: the domain record without the machinery only
 * replicas need to merge it (per-field clocks, and the status log of lifecycle
 * steps stamped with those clocks). REST answers and webhook payloads both carry
 * this shape. The schemas below are derived from the domain's zod schemas, so
 * the OpenAPI document cannot drift from them.
 */
const INTERNAL = { clocks: true, statusLog: true } as const;
/** The hash of a reminder's check-in code is for the kiosk alone (docs/architecture.md §9.6). */
const KIOSK_ONLY = { checkInCodeHash: true } as const;
export const apiSchemas = {
  patients: patientSchema.omit({ clocks: true }).meta({ id: 'Patient' }),
  providers: providerSchema.omit({ clocks: true }).meta({ id: 'Provider' }),
  rooms: roomSchema.omit({ clocks: true }).meta({ id: 'Room' }),
  schedules: scheduleSchema.omit({ clocks: true }).meta({ id: 'Schedule' }),
  appointments: appointmentFields.omit({ ...INTERNAL, ...KIOSK_ONLY }).meta({ id: 'Appointment' }),
  queueEntries: queueEntryFields.omit(INTERNAL).meta({ id: 'QueueEntry' }),
};

export type ApiRecord<K extends CollectionName> = Omit<RecordTypes[K], 'clocks' | 'statusLog' | 'checkInCodeHash'>;

export function toApi<K extends CollectionName>(doc: RecordTypes[K] | Doc): ApiRecord<K> {
  const { clocks, statusLog, checkInCodeHash, _deleted, ...rest } = doc as Doc & {
    clocks?: unknown;
    statusLog?: unknown;
    checkInCodeHash?: unknown;
  };
  void clocks;
  void statusLog;
  void checkInCodeHash;
  void _deleted;
  return rest as unknown as ApiRecord<K>;
}

/** A live record of `collection` at the site, or a 404 naming it. */
export async function readRecord<K extends CollectionName>(
  db: Db | Tx,
  collection: K,
  id: string,
  siteId: string,
): Promise<RecordTypes[K]> {
  const found = z.uuid().safeParse(id).success
    ? await query<{ doc: AnyRecord }>(
        db,
        `SELECT doc FROM ${tableOf[collection]} WHERE id = $1 AND site_ids @> ARRAY[$2::uuid] AND NOT deleted`,
        [id, siteId],
      )
    : [];
  const doc = found[0]?.doc;
  if (doc === undefined) throw new HttpError(404, 'not-found', `no ${singular(collection)} ${id} at this site`, { id });
  return doc as RecordTypes[K];
}

/** A filter on the stored JSON: `sql` uses `?` for its one parameter. */
export interface Filter {
  sql: string;
  value: unknown;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * A page of live records at a site, in `(sortKey, id)` order, after `cursor`.
 * Cursors are opaque to clients (base64url of the last row's sort key and id),
 * so pages never skip or repeat a row when records are added meanwhile.
 */
export async function listRecords<K extends CollectionName>(
  db: Db,
  collection: K,
  siteId: string,
  options: { filters: Filter[]; sortKey?: string; cursor?: string | undefined; limit: number },
): Promise<Page<RecordTypes[K]>> {
  const params: unknown[] = [siteId];
  const where = ['site_ids @> ARRAY[$1::uuid]', 'NOT deleted'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  for (const filter of options.filters) add(filter.sql, filter.value);
  const sort = options.sortKey === undefined ? `''::text` : `coalesce(doc->>'${options.sortKey}', '')`;
  if (options.cursor !== undefined) {
    const [key, id] = decodeCursor(options.cursor);
    params.push(key, id);
    where.push(`(${sort}, id) > ($${params.length - 1}::text, $${params.length}::uuid)`);
  }
  const rows = await db.query<{ doc: RecordTypes[K]; sort: string; id: string }>(
    `SELECT doc, ${sort} AS sort, id FROM ${tableOf[collection]}
      WHERE ${where.join(' AND ')} ORDER BY ${sort}, id LIMIT ${options.limit + 1}`,
    params,
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => r.doc),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.sort, last.id]) : null,
  };
}

/** How many live records at a site the filters match (FHIR's `_summary=count`). */
export async function countRecords(
  db: Db,
  collection: CollectionName,
  siteId: string,
  filters: Filter[],
): Promise<number> {
  const params: unknown[] = [siteId];
  const where = ['site_ids @> ARRAY[$1::uuid]', 'NOT deleted'];
  for (const filter of filters) {
    params.push(filter.value);
    where.push(filter.sql.replaceAll('?', `$${params.length}`));
  }
  const rows = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${tableOf[collection]} WHERE ${where.join(' AND ')}`,
    params,
  );
  return Number(rows[0]?.n ?? 0);
}

function encodeCursor(value: [string, string]): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      z.uuid().safeParse(value[1]).success
    ) {
      return value as [string, string];
    }
  } catch {
    // falls through to the 400 below
  }
  throw new HttpError(400, 'invalid-request', 'invalid query: cursor: not a cursor this API gave out', {
    issues: [{ path: 'cursor', message: 'not a cursor this API gave out' }],
  });
}

async function query<R extends object>(db: Db | Tx, sql: string, params: unknown[]): Promise<R[]> {
  return 'pool' in db
    ? db.query<R & Record<string, unknown>>(sql, params)
    : (await db.query<R & Record<string, unknown>>(sql, params)).rows;
}

const SINGULAR: Record<CollectionName, string> = {
  sites: 'site',
  providers: 'provider',
  rooms: 'room',
  schedules: 'schedule',
  patients: 'patient',
  appointments: 'appointment',
  queueEntries: 'queue entry',
  ledger: 'ledger record',
  notices: 'notice',
};
export const singular = (collection: CollectionName) => SINGULAR[collection];
