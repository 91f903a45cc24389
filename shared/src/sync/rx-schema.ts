import { z } from 'zod';
import { collections, type CollectionName } from '../domain/index.js';

/**
 * Indexes each device keeps, for the queries its screens make. Indexed string
 * fields need a maxLength in RxDB; the ones here are ids and ISO timestamps.
 */
const INDEXES: Partial<Record<CollectionName, (string | string[])[]>> = {
  patients: ['familyName', 'needsAttention'],
  appointments: ['start', ['providerId', 'start'], 'patientId', 'needsAttention'],
  queueEntries: ['checkedInAt', 'needsAttention'],
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

const MAX_LENGTH: Record<string, number> = { id: 36, start: 32, checkedInAt: 32, providerId: 36, patientId: 36, familyName: 100 };

/** The RxDB schema of a collection, derived from its zod schema: one source of truth. */
export function rxSchemaOf(name: CollectionName) {
  const json = z.toJSONSchema(collections[name].schema as z.ZodType, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
  }) as { properties: Record<string, Record<string, unknown>>; required: string[] } & Record<string, unknown>;
  delete json.$schema;
  const indexes = INDEXES[name] ?? [];
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
  };
}
