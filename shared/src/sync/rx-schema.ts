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
 * add the migration strategy beside it in database.ts.
 */
export const SCHEMA_VERSIONS: Record<CollectionName, number> = {
  sites: 0,
  providers: 0,
  rooms: 0,
  schedules: 0,
  patients: 0,
  appointments: 0,
  queueEntries: 0,
};

const MAX_LENGTH: Record<string, number> = {
  id: 36,
  start: 32,
  checkedInAt: 32,
  providerId: 36,
  patientId: 36,
  familyName: 100,
};

/**
 * The RxDB schema of a collection as a device of `role` holds it, derived from
 * its zod schema (the projection's, for kiosks and displays): one source of truth.
 */
/**
 * Patient fields a device stores encrypted when it has a key (DESIGN section 5):
 * what identifies or reaches a person beyond the name a desk searches by.
 * Encrypted fields cannot be indexed or queried, so names and dates stay clear.
 */
export const ENCRYPTED_FIELDS: Partial<Record<CollectionName, readonly string[]>> = {
  patients: ['phone', 'email', 'address', 'insurance'],
  appointments: ['notes'],
};

export function rxSchemaOf(name: CollectionName, role: ReplicaRole = 'desk', options: { encrypted?: boolean } = {}) {
  const json = z.toJSONSchema(replicaSchema(role, name), {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
  }) as { properties: Record<string, Record<string, unknown>>; required: string[] } & Record<string, unknown>;
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
