import type { CollectionName } from '@medisync/shared/domain';
import type { Principal } from '#auth/principal';
import { prepared, type Db, type Tx } from '#db/db';

/** Collections that hold patient data: every read and write of them is audited (docs/architecture.md §6.4). */
export const PATIENT_DATA_COLLECTIONS: ReadonlySet<CollectionName> = new Set([
  'patients',
  'appointments',
  'queueEntries',
  // What a patient owes and paid, and their insurance as billed (docs/architecture.md §9.7).
  'ledger',
]);

export function isPatientData(collection: CollectionName): boolean {
  return PATIENT_DATA_COLLECTIONS.has(collection);
}

export interface AuditActor {
  kind: 'user' | 'device' | 'apiClient' | 'anonymous';
  id: string | null;
  role: string | null;
  siteId: string | null;
}

export function actorOf(principal: Principal): AuditActor {
  return { kind: principal.kind, id: principal.id, role: principal.role, siteId: principal.siteId };
}

export const anonymous: AuditActor = { kind: 'anonymous', id: null, role: null, siteId: null };

export interface AuditEvent {
  actor: AuditActor;
  /** `read` or `write` of records, or a security event: `sign-in`, `sign-in-failed`, `device-enrolled`, ... */
  action: string;
  collection?: string | null;
  recordIds?: readonly string[];
  /** Defaults to the number of ids. */
  count?: number;
  /** The route or channel: `sync.pull`, `sync.push`, `sync.live`, `POST /admin/users`, ... */
  via: string;
  /** The site the records belong to; defaults to the actor's. */
  siteId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: string;
  actor: AuditActor;
  action: string;
  collection: string | null;
  recordIds: string[];
  count: number;
  via: string;
  siteId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  /** The sites the reader may see; required, so an admin never reads another clinic's log. */
  siteIds: readonly string[];
  actorId?: string | undefined;
  actorKind?: AuditActor['kind'] | undefined;
  action?: string | undefined;
  collection?: string | undefined;
  recordId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined;
  limit: number;
}

/**
 * The audit log: append-only, one row per request with the record ids as an
 * array, never replicated to devices. Writing it is part of serving the
 * request: when the row cannot be written the request fails rather than
 * handing out patient data unrecorded.
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /**
   * Appends the events in one statement. Given the request's transaction, they
   * commit with its change, with no round trip or commit of their own.
   */
  async record(events: AuditEvent | readonly AuditEvent[], tx?: Tx): Promise<void> {
    const list = Array.isArray(events) ? (events as readonly AuditEvent[]) : [events as AuditEvent];
    if (list.length === 0) return;
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const values = list.map((event) => {
      const ids = `${param(event.recordIds ?? [])}::uuid[]`;
      return `(${eventValues(event, param, ids, param(event.count ?? event.recordIds?.length ?? 0))})`;
    });
    // Prepared: its text depends only on how many events it records, mostly one.
    const statement = prepared(`INSERT INTO audit_events ${COLUMNS} VALUES ${values.join(', ')}`, params);
    await (tx ?? this.db.pool).query(statement);
  }

  /** Newest first, a page at a time. */
  async query(query: AuditQuery): Promise<{ events: AuditRow[]; nextCursor: string | null }> {
    const params: unknown[] = [query.siteIds];
    const where = ['site_id = ANY($1::uuid[])'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.actorId !== undefined) add('actor_id = ?', query.actorId);
    if (query.actorKind !== undefined) add('actor_kind = ?', query.actorKind);
    if (query.action !== undefined) add('action = ?', query.action);
    if (query.collection !== undefined) add('collection = ?', query.collection);
    if (query.recordId !== undefined) add('record_ids @> ARRAY[?::uuid]', query.recordId);
    if (query.from !== undefined) add('at >= ?', query.from);
    if (query.to !== undefined) add('at < ?', query.to);
    if (query.cursor !== undefined) add('id < ?', query.cursor);
    const rows = await this.db.query<{
      id: string;
      at: Date;
      actor_kind: AuditActor['kind'];
      actor_id: string | null;
      actor_role: string | null;
      site_id: string | null;
      action: string;
      collection: string | null;
      record_ids: string[];
      record_count: number;
      via: string;
      ip: string | null;
      user_agent: string | null;
      details: Record<string, unknown>;
    }>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${query.limit + 1}`, params);
    const page = rows.slice(0, query.limit);
    return {
      events: page.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        actor: { kind: r.actor_kind, id: r.actor_id, role: r.actor_role, siteId: r.site_id },
        action: r.action,
        collection: r.collection,
        recordIds: r.record_ids,
        count: r.record_count,
        via: r.via,
        siteId: r.site_id,
        ip: r.ip,
        userAgent: r.user_agent,
        details: r.details,
      })),
      nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
    };
  }
}

const COLUMNS =
  '(actor_kind, actor_id, actor_role, site_id, action, collection, record_ids, record_count, via, ip, user_agent, details)';

/** An event's values in `COLUMNS` order, its record ids and count given as SQL. */
function eventValues(event: AuditEvent, param: (value: unknown) => string, ids: string, count: string): string {
  return [
    param(event.actor.kind),
    param(event.actor.id),
    param(event.actor.role),
    `${param(event.siteId === undefined ? event.actor.siteId : event.siteId)}::uuid`,
    param(event.action),
    param(event.collection ?? null),
    ids,
    count,
    param(event.via),
    param(event.ip ?? null),
    param(event.userAgent ?? null),
    `${param(JSON.stringify(event.details ?? {}))}::jsonb`,
  ].join(', ');
}

/**
 * An INSERT (for a WITH clause) that records `event` as the read of the `id`s
 * of `rows` (a query or CTE name) that pass `where`, when there are any: a
 * statement that reads patient data records the read itself, with no round
 * trip of its own (sync/pull.ts). `param` as in `record`.
 */
export function auditedReadSql(
  event: Omit<AuditEvent, 'recordIds' | 'count'>,
  rows: string,
  where: string,
  param: (value: unknown) => string,
): string {
  return `INSERT INTO audit_events ${COLUMNS}
    SELECT ${eventValues(event, param, 'array_agg(id)', 'count(*)')} FROM ${rows} WHERE ${where} HAVING count(*) > 0`;
}
