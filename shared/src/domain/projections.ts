import { z } from 'zod';
import { collections, type CollectionName, type RecordTypes } from './collections.js';
import type { HybridClock } from './hlc.js';
import { normalizeRecord, type Replicated } from './merge.js';
import { transitionRecord, type Actor } from './records.js';
import { appointmentFields, type Appointment } from './schemas/appointment.js';
import { text } from './schemas/common.js';
import { patientSchema, type Patient } from './schemas/patient.js';
import { queueEntryFields, type QueueEntry } from './schemas/queue-entry.js';
import { sha256Hex } from './sha256.js';

/**
 * Role-shaped records (docs/architecture.md §5.3). A kiosk and a waiting-room display hold
 * only what their screens need; the server projects every record it sends them
 * with the functions here, and validates what a kiosk pushes with the schemas
 * here, never with the full ones. Clients use the same schemas for their local
 * databases, so a projected record is always storable where it arrives.
 */

/** The roles a device replica can have; a desktop device's role is "desk". */
export const replicaRoles = ['admin', 'desk', 'kiosk', 'display'] as const;
export type ReplicaRole = (typeof replicaRoles)[number];

export interface ReplicaProfile {
  /** Collections the device's database holds. */
  collections: readonly CollectionName[];
  /** Collections it pulls; any other collection it holds is write-only. */
  pull: readonly CollectionName[];
  /** Collections it may push. */
  push: readonly CollectionName[];
}

const allCollections = Object.keys(collections) as CollectionName[];

/** What each role replicates. The server's sync policy and the client database both follow this table. */
export const replicaProfiles: Record<ReplicaRole, ReplicaProfile> = {
  admin: { collections: allCollections, pull: allCollections, push: allCollections },
  desk: { collections: allCollections, pull: allCollections, push: allCollections },
  kiosk: {
    collections: ['sites', 'providers', 'appointments', 'queueEntries', 'patients'],
    pull: ['sites', 'providers', 'appointments', 'queueEntries'],
    // Patients are write-only for a kiosk: intake updates and walk-in registrations go up, nothing comes down.
    push: ['appointments', 'queueEntries', 'patients'],
  },
  display: {
    collections: ['sites', 'rooms', 'queueEntries'],
    pull: ['sites', 'rooms', 'queueEntries'],
    push: [],
  },
};

export function isReplicaRole(role: string): role is ReplicaRole {
  return (replicaRoles as readonly string[]).includes(role);
}

// ---------------------------------------------------------------------------
// Identity key

/** Lower case, accents and punctuation dropped: "O'Brien-Núñez" and "obrien nunez" match. */
export function normalizeFamilyName(familyName: string): string {
  return familyName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The key a kiosk finds a patient's appointment by: family name and date of birth,
 * normalised and hashed with SHA-256 (the same in every browser and in Node).
 *
 * It is a lookup key, not a secret: family names and birth dates are few enough
 * to try them all, so the hash only keeps the plain values out of the kiosk's
 * replica and its logs. What protects patients is that a kiosk holds today's
 * appointments only and locks identity search after repeated misses
 * (kiosk-lockout.ts).
 */
export function identityKey(familyName: string, dob: string): string {
  return sha256Hex(`medisync:identity:v1:${normalizeFamilyName(familyName)}:${dob}`);
}

export const identityKeySchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 identity key');

// ---------------------------------------------------------------------------
// Kiosk appointment

/** Appointment fields a kiosk holds as they are; everything else (notes, copay, visit type, room) stays on the server. */
const KIOSK_APPOINTMENT_FIELDS = [
  'id',
  'siteId',
  'start',
  'end',
  'providerId',
  'patientId',
  'status',
  'checkedInAt',
  'checkInSource',
  'statusLog',
  'checkInCodeHash',
] as const;

export const kioskAppointmentSchema = appointmentFields
  .pick({
    id: true,
    siteId: true,
    start: true,
    end: true,
    providerId: true,
    patientId: true,
    status: true,
    checkedInAt: true,
    checkInSource: true,
    statusLog: true,
    // The hash of the reminder's code, never the code: the kiosk checks a typed code against it (reminders-code.ts).
    checkInCodeHash: true,
    clocks: true,
    attention: true,
    needsAttention: true,
  })
  .extend({
    providerDisplayName: text.max(200),
    /** Shown to greet the patient: "Welcome, Maria G." */
    patientGivenName: text.max(100),
    patientFamilyInitial: text.max(4),
    /** Null only when the patient record is missing on the server. */
    identityKey: identityKeySchema.nullable(),
  });
export type KioskAppointment = z.infer<typeof kioskAppointmentSchema>;

export interface KioskAppointmentContext {
  patient: Pick<Patient, 'givenName' | 'familyName' | 'dob'> | null;
  provider: { displayName: string } | null;
}

/**
 * The appointment fields a kiosk holds that belong to the appointment itself
 * (no joined names). The server compares pushed and stored records in this
 * shape, so a kiosk that holds the server's state is never told it conflicts.
 */
export function kioskAppointmentCore<T extends Replicated<Appointment>>(appointment: T): Replicated<Appointment> {
  return lifecycleCore('appointments', appointment, KIOSK_APPOINTMENT_FIELDS) as Replicated<Appointment>;
}

export function projectKioskAppointment(
  appointment: Replicated<Appointment>,
  context: KioskAppointmentContext,
): Replicated<KioskAppointment> {
  const { patient, provider } = context;
  return {
    ...(kioskAppointmentCore(appointment) as unknown as Replicated<KioskAppointment>),
    providerDisplayName: provider?.displayName ?? '',
    patientGivenName: patient?.givenName ?? '',
    patientFamilyInitial: patient ? (Array.from(patient.familyName.trim())[0]?.toUpperCase() ?? '') : '',
    identityKey: patient ? identityKey(patient.familyName, patient.dob) : null,
  };
}

// ---------------------------------------------------------------------------
// Kiosk queue entry

const KIOSK_QUEUE_FIELDS = [
  'id',
  'siteId',
  'queue',
  'ticketCode',
  'priority',
  'status',
  'checkedInAt',
  'calledAt',
  'roomId',
  'statusLog',
] as const;

/** What a kiosk pulls of the queue: enough to hand out tickets and estimate waits, no patient. */
export const kioskQueueEntrySchema = queueEntryFields.pick({
  id: true,
  siteId: true,
  queue: true,
  ticketCode: true,
  priority: true,
  status: true,
  checkedInAt: true,
  calledAt: true,
  roomId: true,
  statusLog: true,
  clocks: true,
  attention: true,
  needsAttention: true,
});
export type KioskQueueEntry = z.infer<typeof kioskQueueEntrySchema>;

/**
 * What a kiosk pushes and keeps locally: its own new entries still carry the
 * patient and appointment they are for until the server has them; pulled
 * entries never do.
 */
export const kioskQueueEntryWriteSchema = kioskQueueEntrySchema.extend({
  patientId: queueEntryFields.shape.patientId.optional(),
  appointmentId: queueEntryFields.shape.appointmentId.optional(),
});

export function projectKioskQueueEntry(entry: Replicated<QueueEntry>): Replicated<KioskQueueEntry> {
  return lifecycleCore('queueEntries', entry, KIOSK_QUEUE_FIELDS) as Replicated<KioskQueueEntry>;
}

// ---------------------------------------------------------------------------
// Display queue entry

/** What a waiting-room screen shows: a ticket, where to go and when it was called. No names, no patient. */
export const displayQueueEntrySchema = queueEntryFields
  .pick({
    id: true,
    siteId: true,
    queue: true,
    ticketCode: true,
    status: true,
    roomId: true,
    calledAt: true,
    checkedInAt: true,
  })
  .extend({ roomName: text.max(100).nullable() });
export type DisplayQueueEntry = z.infer<typeof displayQueueEntrySchema>;

/**
 * `roomName` is resolved when the entry is sent; a room renamed later keeps its
 * old name here until the entry changes, so screens prefer the name in their
 * own rooms collection when they hold the room.
 */
export function projectDisplayQueueEntry(
  entry: Replicated<QueueEntry>,
  roomName: string | null,
): Replicated<DisplayQueueEntry> {
  const projected: Replicated<DisplayQueueEntry> = {
    id: entry.id,
    siteId: entry.siteId,
    queue: entry.queue,
    ticketCode: entry.ticketCode,
    status: entry.status,
    roomId: entry.roomId,
    roomName: entry.roomId === null ? null : roomName,
    calledAt: entry.calledAt,
    checkedInAt: entry.checkedInAt,
  };
  if (entry._deleted !== undefined) projected._deleted = entry._deleted;
  return projected;
}

// ---------------------------------------------------------------------------
// Kiosk patient intake (write-only)

/** Fields a patient may update about themselves at a kiosk. */
export const kioskIntakeFields = ['phone', 'email', 'address', 'preferredLanguage', 'insurance'] as const;
/** Fields a kiosk also sets when it registers a walk-in patient the clinic does not know yet. */
export const kioskRegistrationFields = [
  'givenName',
  'familyName',
  'dob',
  'sex',
  'mrn',
  'active',
  'mergedInto',
] as const;

/**
 * A patient record as a kiosk writes it: an intake update (id, site and the
 * intake fields it changed, with their clocks) or a whole walk-in registration.
 * A kiosk never reads patients, so it never holds more than it wrote.
 */
export const kioskPatientWriteSchema = patientSchema
  .pick({ id: true, siteId: true, clocks: true, attention: true, needsAttention: true })
  .extend(
    patientSchema
      .pick({
        phone: true,
        email: true,
        address: true,
        preferredLanguage: true,
        insurance: true,
        givenName: true,
        familyName: true,
        dob: true,
        sex: true,
        mrn: true,
        active: true,
        mergedInto: true,
      })
      .partial().shape,
  );
export type KioskPatientWrite = z.infer<typeof kioskPatientWriteSchema>;

// ---------------------------------------------------------------------------
// Schemas per role

/** The schema of a collection as a device of `role` stores (and, for writes, pushes) it. */
export function replicaSchema(role: ReplicaRole, collection: CollectionName): z.ZodType {
  if (role === 'kiosk') {
    if (collection === 'appointments') return kioskAppointmentSchema;
    if (collection === 'queueEntries') return kioskQueueEntryWriteSchema;
    if (collection === 'patients') return kioskPatientWriteSchema;
  }
  if (role === 'display' && collection === 'queueEntries') return displayQueueEntrySchema;
  return collections[collection].schema as z.ZodType;
}

/**
 * A record as a device of `role` holds it once the server has it. A kiosk's
 * own new queue entry carries the patient and appointment it is for until the
 * server has them; after that the kiosk keeps only its projection, whatever
 * happened to the answer of the push that delivered it.
 */
export function replicaView<K extends CollectionName>(
  role: ReplicaRole,
  collection: K,
  record: Replicated<RecordTypes[K]>,
): Replicated<RecordTypes[K]> {
  if (role === 'kiosk' && collection === 'queueEntries') {
    return projectKioskQueueEntry(record as Replicated<QueueEntry>) as unknown as Replicated<RecordTypes[K]>;
  }
  return record;
}

/** Moves a record a device of `role` holds along its lifecycle, checked against that role's schema. */
export function transitionReplica<K extends 'appointments' | 'queueEntries'>(
  role: ReplicaRole,
  collection: K,
  record: RecordTypes[K] | KioskAppointment | KioskQueueEntry,
  to: string,
  clock: HybridClock,
  actor: Actor,
): RecordTypes[K] {
  return transitionRecord(collection, record as RecordTypes[K], to, clock, actor, replicaSchema(role, collection));
}

/**
 * A kiosk's intake update of a patient it does not hold: only the changed
 * fields, each with a fresh clock, so the server's merge keeps every other field.
 */
export function kioskIntakeUpdate(
  patient: { id: string; siteId: string },
  patch: Partial<Pick<Patient, (typeof kioskIntakeFields)[number]>>,
  clock: HybridClock,
): KioskPatientWrite {
  const record: Record<string, unknown> = {
    id: patient.id,
    siteId: patient.siteId,
    attention: {},
    needsAttention: false,
  };
  const clocks: Record<string, string> = {};
  for (const field of kioskIntakeFields) {
    if (patch[field] === undefined) continue;
    record[field] = patch[field];
    clocks[field] = clock.tick();
  }
  return kioskPatientWriteSchema.parse({ ...record, clocks });
}

// ---------------------------------------------------------------------------

/**
 * Picks the kept fields of a lifecycle record and the clocks of exactly those
 * fields (a clock of a dropped field would let a merge believe it knows a value
 * it never saw). Attention flags stay on the server; the lifecycle flags the
 * status log implies are derived again by `normalizeRecord`.
 */
function lifecycleCore(collection: 'appointments' | 'queueEntries', record: object, fields: readonly string[]): object {
  const source = record as Record<string, unknown> & { clocks: Record<string, string>; _deleted?: boolean };
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
  picked.clocks = Object.fromEntries(
    Object.entries(source.clocks ?? {}).filter(([field]) => fields.includes(field) && field !== 'id'),
  );
  picked.attention = {};
  picked.needsAttention = false;
  const normalized = normalizeRecord(collection, picked as never) as Record<string, unknown>;
  if (source._deleted !== undefined) normalized._deleted = source._deleted;
  return normalized;
}
