import type { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { collectionSpec, fieldGroupOf, lifecycleOf, type CollectionName, type RecordTypes } from './collections.js';
import { maxHlc, type HybridClock } from './hlc.js';
import { checkTransition, type ActorRole, type StatusEvent } from './lifecycle.js';
import { normalizeRecord } from './merge.js';

/** A rule of the domain was broken; `code` is stable for clients and the API. */
export class DomainError extends Error {
  constructor(
    readonly code: 'transition-not-allowed' | 'invalid-record' | 'protected-field' | 'unknown-flag',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Who makes a change: kept in status logs and attention resolutions. */
export interface Actor {
  id: string;
  role: ActorRole;
  source: StatusEvent<string>['source'];
}

type Lifecycled = { status: string; statusLog: StatusEvent<string>[] };
type Managed =
  'clocks' | 'attention' | 'needsAttention' | 'statusLog' | 'status' | 'checkedInAt' | 'checkInSource' | 'calledAt';
/** A status without a status log (a room's) is a plain field the caller sets like any other. */
type PlainStatus<T> = T extends Lifecycled ? unknown : Pick<T, Extract<keyof T, 'status'>>;

/** What a caller provides to create a record: everything but the fields the domain manages. */
export type NewRecord<K extends CollectionName> = Omit<RecordTypes[K], Managed> &
  (RecordTypes[K] extends Lifecycled ? { status: RecordTypes[K]['status'] } : PlainStatus<RecordTypes[K]>) &
  Partial<Pick<RecordTypes[K], Extract<keyof RecordTypes[K], 'checkedInAt'>>>;

/** The fields `changeRecord` may set. */
export type RecordPatch<K extends CollectionName> = Partial<
  Omit<RecordTypes[K], Managed | 'id'> & PlainStatus<RecordTypes[K]>
>;

const PROTECTED = new Set([
  'id',
  'clocks',
  'attention',
  'needsAttention',
  'statusLog',
  'status',
  'calledAt',
  'checkInSource',
]);

export interface FieldIssue {
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; record: T } | { ok: false; issues: FieldIssue[] };

/** Validates a record against its collection's schema, naming each bad field. */
export function parseRecord<K extends CollectionName>(name: K, data: unknown): ParseResult<RecordTypes[K]> {
  const result = collectionSpec(name).schema.safeParse(data);
  if (result.success) return { ok: true, record: result.data };
  return { ok: false, issues: fieldIssues(result.error) };
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(record)',
    message: issue.message,
  }));
}

export function createRecord<K extends CollectionName>(
  name: K,
  fields: NewRecord<K>,
  clock: HybridClock,
  actor: Actor,
): RecordTypes[K] {
  const spec = collectionSpec(name);
  const hlc = clock.tick();
  const { status, ...plain } = fields as Record<string, unknown>;
  const lifecycle = lifecycleOf(spec, fields);
  const rest = lifecycle || status === undefined ? plain : { ...plain, status };
  const clocks: Record<string, string> = {};
  for (const field of Object.keys(rest)) if (field !== 'id') clocks[field] = hlc;
  const draft: Record<string, unknown> = { ...rest, clocks, attention: {}, needsAttention: false };
  if (lifecycle) {
    const to = String(status);
    const check = checkTransition(lifecycle.lifecycle, actor.role, null, to);
    if (!check.ok) throw new DomainError('transition-not-allowed', check.reason, { to });
    draft.statusLog = [{ from: null, to, hlc, by: actor.id, source: actor.source }];
  }
  return validated(name, normalizeRecord(name, draft as unknown as RecordTypes[K]));
}

/**
 * Sets plain fields; each changed field gets a clock later than the one it
 * overwrites. `reassert` stamps the patched fields even where this copy already
 * holds the value: for a copy that may be stale, so the write still wins over a
 * change on its way from elsewhere.
 */
export function changeRecord<K extends CollectionName>(
  name: K,
  record: RecordTypes[K],
  patch: RecordPatch<K>,
  clock: HybridClock,
  options: { reassert?: boolean } = {},
): RecordTypes[K] {
  return validated(name, patchRecord(name, record, patch, clock, options));
}

/**
 * `changeRecord` without its schema check: for the server's push rules, which
 * set only fields the server owns (an MRN) on records the push has just
 * checked, where checking hundreds of records a batch again would double the
 * cost of a push.
 */
export function patchRecord<K extends CollectionName>(
  name: K,
  record: RecordTypes[K],
  patch: RecordPatch<K>,
  clock: HybridClock,
  { reassert = false }: { reassert?: boolean } = {},
): RecordTypes[K] {
  const spec = collectionSpec(name);
  const next = { ...(record as Record<string, unknown>) };
  const clocks = { ...(record as unknown as { clocks: Record<string, string> }).clocks };
  for (const [field, value] of Object.entries(patch)) {
    const isProtected = PROTECTED.has(field) && (field !== 'status' || lifecycleOf(spec, record) !== undefined);
    if (isProtected) throw new DomainError('protected-field', `"${field}" cannot be set directly`, { field });
    if (value === undefined || (!reassert && canonicalJson(value) === canonicalJson(next[field]))) continue;
    next[field] = value;
    // Fields that merge as one value (an appointment's start and end) share one
    // clock, later than any of theirs, so the whole edited group wins the merge.
    const group = fieldGroupOf(spec, field);
    const stamp = clock.tickAfter(group.reduce<string | undefined>((max, f) => maxHlc(max, clocks[f]), undefined));
    for (const member of group) clocks[member] = stamp;
  }
  next.clocks = clocks;
  return normalizeRecord(name, next as unknown as RecordTypes[K]);
}

/**
 * Moves a record along its lifecycle, or says why it may not. `schema` checks the
 * result; a kiosk passes its projection's schema (see projections.ts).
 */
export function transitionRecord<K extends CollectionName>(
  name: K,
  record: RecordTypes[K],
  to: string,
  clock: HybridClock,
  actor: Actor,
  schema?: z.ZodType,
): RecordTypes[K] {
  const lifecycle = lifecycleOf(collectionSpec(name), record);
  if (!lifecycle) throw new DomainError('transition-not-allowed', `${name} have no lifecycle`);
  const current = record as unknown as Lifecycled;
  const check = checkTransition(lifecycle.lifecycle, actor.role, current.status, to);
  if (!check.ok) throw new DomainError('transition-not-allowed', check.reason, { from: current.status, to });
  const latest = current.statusLog.reduce((max, e) => (e.hlc > max ? e.hlc : max), '');
  const event: StatusEvent<string> = {
    from: current.status,
    to,
    hlc: clock.tickAfter(latest || undefined),
    by: actor.id,
    source: actor.source,
  };
  const next = normalizeRecord(name, {
    ...current,
    statusLog: [...current.statusLog, event],
  } as unknown as RecordTypes[K]);
  if (schema === undefined) return validated(name, next);
  const parsed = schema.safeParse(next);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error);
    throw new DomainError('invalid-record', `${issues[0]!.path}: ${issues[0]!.message}`, { issues });
  }
  return parsed.data as RecordTypes[K];
}

/** Marks an attention flag resolved; an ordinary change that syncs like any other. */
export function resolveFlag<K extends CollectionName>(
  name: K,
  record: RecordTypes[K],
  key: string,
  actor: Actor,
  now: Date,
): RecordTypes[K] {
  const doc = record as unknown as { attention: Record<string, { resolvedAt: string | null }> };
  const flag = doc.attention[key];
  if (flag === undefined) throw new DomainError('unknown-flag', `no attention flag "${key}" on this record`, { key });
  const attention = { ...doc.attention, [key]: { ...flag, resolvedAt: now.toISOString(), resolvedBy: actor.id } };
  return validated(name, normalizeRecord(name, { ...record, attention } as RecordTypes[K]));
}

function validated<K extends CollectionName>(name: K, record: RecordTypes[K]): RecordTypes[K] {
  const parsed = parseRecord(name, record);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw new DomainError('invalid-record', `${first.path}: ${first.message}`, { issues: parsed.issues });
  }
  return parsed.record;
}
