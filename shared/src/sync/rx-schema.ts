import { z } from 'zod';
import { replicaSchema, type CollectionName, type ReplicaRole } from '../domain/index.js';

/**
 * Indexes each device keeps, for the queries its screens make. Indexed string
 * fields need a maxLength in RxDB; the ones here are ids and ISO timestamps.
 */
const STAFF_INDEXES: Partial<Record<CollectionName, (string | string[])[]>> = {
  patients: ['familyName', 'needsAttention'],
  appointments: ['start', ['providerId', 'start'], 'patientId', 'needsAttention'],
  queueEntries: ['checkedInAt', 'needsAttention'],
  // No ledger index yet: Dexie indexes required fields only, and a ledger record's patient and visit
  // depend on its kind (docs/architecture.md §9.7).
  // The notices panel lists the latest first (docs/architecture.md §9.6).
  notices: ['raisedAt'],
};

/** Kiosks and displays hold one day of projected records: few, and queried by time. */
const INDEXES: Record<ReplicaRole, Partial<Record<CollectionName, (string | string[])[]>>> = {
  admin: STAFF_INDEXES,
  desk: STAFF_INDEXES,
  kiosk: { appointments: ['start'], queueEntries: ['checkedInAt'] },
  display: { queueEntries: ['checkedInAt'] },
};

/**
 * Bump a collection's version here whenever its zod schema changes shape, and
 * add its migration strategy to MIGRATION_STRATEGIES below.
 */
export const SCHEMA_VERSIONS: Record<CollectionName, number> = {
  sites: 3,
  providers: 1,
  rooms: 2,
  schedules: 1,
  patients: 2,
  appointments: 3,
  queueEntries: 1,
  ledger: 0,
  notices: 0,
};

/**
 * How a stored document of the previous version becomes one of this version,
 * keyed by the version it becomes. A migration must not change a record's
 * replicated fields or clocks: the server holds the same record and merges by them.
 */
export const MIGRATION_STRATEGIES: Partial<
  Record<CollectionName, Record<number, (doc: Record<string, unknown>) => unknown>>
> = {
  // 1 (every collection): attention flags gained the code "duplicate-arrival"; patients also gained the
  // optional `mergeRecord` (what a merge moved, for its undo); queue entries the optional `callReason` (why a
  // ticket was called out of turn). A version-0 document is a valid version-1 one.
  // 2 (reminders, docs/architecture.md §9.6): sites gained the optional `reminders` policy and `address`;
  // patients the optional `contactConsent`; appointments the optional, server-written `checkInCodeHash` and
  // `reminderConfirmedAt` (a kiosk holds the hash too). Every new field is optional, so a version-1 document is a
  // valid version-2 one, kept as it was.
  // Rooms 2 and appointments 3 (facility and no-show model, docs/architecture.md §9.8): rooms gained the optional
  // `equipmentState` (status and maintenance windows of their equipment), appointments the optional, server-written
  // `noShowRisk`. Optional again, so older documents are kept as they were.
  // Sites 3 (billing, docs/architecture.md §9.7): the optional `billing` choices (kiosk payments). Optional, so
  // older documents are kept as they were.
  sites: { 1: (doc) => doc, 2: (doc) => doc, 3: (doc) => doc },
  providers: { 1: (doc) => doc },
  rooms: { 1: (doc) => doc, 2: (doc) => doc },
  schedules: { 1: (doc) => doc },
  patients: { 1: (doc) => doc, 2: (doc) => doc },
  appointments: { 1: (doc) => doc, 2: (doc) => doc, 3: (doc) => doc },
  queueEntries: { 1: (doc) => doc },
};

const MAX_LENGTH: Record<string, number> = {
  id: 36,
  start: 32,
  checkedInAt: 32,
  raisedAt: 32,
  providerId: 36,
  patientId: 36,
  familyName: 100,
};

/**
 * The RxDB schema of a collection as a device of `role` holds it, derived from
 * its zod schema (the projection's, for kiosks and displays): one source of truth.
 */
/**
 * Patient fields a device stores encrypted when it has a key (docs/architecture.md §6.5):
 * what identifies or reaches a person beyond the name a desk searches by.
 * Encrypted fields cannot be indexed or queried, so names and dates stay clear.
 */
export const ENCRYPTED_FIELDS: Partial<Record<CollectionName, readonly string[]>> = {
  patients: ['phone', 'email', 'address', 'insurance'],
  appointments: ['notes'],
  ledger: ['insurance'],
};

type JsonObjectSchema = { properties: Record<string, Record<string, unknown>>; required: string[] } & Record<
  string,
  unknown
>;

/**
 * RxDB needs one object schema with top-level properties; a kind-discriminated
 * collection (the ledger) is a union of object schemas. Its RxDB schema holds
 * every kind's properties (one kind's schema for a property all kinds share
 * alike, else any of theirs) and requires what every kind requires. RxDB
 * checks the looser shape; the zod schema still checks each kind exactly
 * before any write is stored or synced.
 */
function flattenUnion(json: JsonObjectSchema): JsonObjectSchema {
  const variants = (json.oneOf ?? json.anyOf) as JsonObjectSchema[] | undefined;
  if (variants === undefined) return json;
  const properties: Record<string, Record<string, unknown>[]> = {};
  for (const variant of variants) {
    for (const [field, schema] of Object.entries(variant.properties)) {
      const seen = (properties[field] ??= []);
      if (!seen.some((s) => JSON.stringify(s) === JSON.stringify(schema))) seen.push(schema);
    }
  }
  const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = json;
  return {
    ...rest,
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(properties).map(([field, schemas]) => [
        field,
        schemas.length === 1 ? schemas[0]! : { anyOf: schemas },
      ]),
    ),
    required: variants[0]!.required.filter((field) => variants.every((v) => v.required.includes(field))),
    additionalProperties: false,
  };
}

export function rxSchemaOf(name: CollectionName, role: ReplicaRole = 'desk', options: { encrypted?: boolean } = {}) {
  const json = flattenUnion(
    z.toJSONSchema(replicaSchema(role, name), {
      target: 'draft-7',
      io: 'output',
      unrepresentable: 'any',
    }) as JsonObjectSchema,
  );
  delete json.$schema;
  const indexes = INDEXES[role][name] ?? [];
  for (const field of new Set(['id', ...indexes.flat()])) {
    const property = json.properties[field];
    if (property === undefined) throw new Error(`${name}.${field} is indexed but not in the schema`);
    if (property.type === 'string') property.maxLength = MAX_LENGTH[field] ?? 100;
  }
  return {
    ...json,
    title: name,
    version: SCHEMA_VERSIONS[name],
    primaryKey: 'id',
    type: 'object' as const,
    indexes,
    ...(options.encrypted
      ? { encrypted: (ENCRYPTED_FIELDS[name] ?? []).filter((field) => field in json.properties) }
      : {}),
  };
}
