import type { z } from 'zod';
import { appointmentLifecycle, appointmentSchema, type Appointment } from './schemas/appointment.js';
import { patientSchema, type Patient } from './schemas/patient.js';
import { providerSchema, type Provider } from './schemas/provider.js';
import { queueEntrySchema, queueLifecycle, type QueueEntry } from './schemas/queue-entry.js';
import { roomSchema, type Room } from './schemas/room.js';
import { scheduleSchema, type Schedule } from './schemas/schedule.js';
import { siteSchema, type Site } from './schemas/site.js';
import { noticeSchema, type Notice } from './schemas/notice.js';
import {
  claimLifecycle,
  invoiceLifecycle,
  ledgerEntrySchema,
  paymentLifecycle,
  type LedgerEntry,
} from './schemas/ledger.js';
import { enteredAt, type Lifecycle, type Replay } from './lifecycle.js';
import { hlcToIso } from './hlc.js';

export interface RecordTypes {
  sites: Site;
  providers: Provider;
  rooms: Room;
  schedules: Schedule;
  patients: Patient;
  appointments: Appointment;
  queueEntries: QueueEntry;
  ledger: LedgerEntry;
  notices: Notice;
}
export type CollectionName = keyof RecordTypes;
export type AnyRecord = RecordTypes[CollectionName];

export interface LifecycleSpec<T, S extends string> {
  lifecycle: Lifecycle<S>;
  /** Fields computed from the replayed status log, never merged on their own. */
  derive: (replay: Replay<S>) => Partial<T>;
}

export interface CollectionSpec<T> {
  name: CollectionName;
  schema: z.ZodType<T>;
  /** The sites a record belongs to: scoping, locking and live events follow it. */
  sitesOf: (record: T) => string[];
  lifecycle?: LifecycleSpec<T, string>;
  /**
   * A kind-discriminated collection (the ledger) has a lifecycle per kind:
   * `field` names the discriminator, which never changes; kinds absent from
   * `byKind` have no status log.
   */
  lifecyclesByKind?: { field: keyof T & string; byKind: Readonly<Record<string, LifecycleSpec<T, string>>> };
  /**
   * Fields that only make sense together and so merge as one value: per-field
   * last-writer-wins could pair one device's new start with another's new end
   * and produce an appointment that ends before it starts.
   */
  fieldGroups?: readonly (readonly (keyof T & string)[])[];
  /**
   * Fields holding the id of another record. A reference must stay within the
   * record's site: the server refuses a record pointing at another site's
   * patient, provider or appointment.
   */
  references?: readonly { field: keyof T & string; collection: CollectionName }[];
}

const bySiteId = (record: { siteId: string }) => [record.siteId];

const appointmentSpec: LifecycleSpec<Appointment, Appointment['status']> = {
  lifecycle: appointmentLifecycle,
  derive: (replay) => {
    const arrival = enteredAt(replay, ['checked-in', 'arrived', 'fulfilled']);
    return {
      status: replay.status,
      checkedInAt: arrival ? hlcToIso(arrival.hlc) : null,
      checkInSource: arrival ? arrival.source : null,
    };
  },
};

const queueSpec: LifecycleSpec<QueueEntry, QueueEntry['status']> = {
  lifecycle: queueLifecycle,
  derive: (replay) => {
    const called = enteredAt(replay, ['called', 'in-room', 'done']);
    return { status: replay.status, calledAt: called ? hlcToIso(called.hlc) : null };
  },
};

/** A ledger entry's status is its replayed log's, like an appointment's. */
const ledgerStatus = { derive: (replay: Replay<string>) => ({ status: replay.status }) };

/**
 * Every replicated collection, in the order a new device should receive them
 * (reference data first, so screens can resolve names as records arrive).
 */
export const collections = {
  sites: { name: 'sites', schema: siteSchema, sitesOf: (site: Site) => [site.id] },
  providers: { name: 'providers', schema: providerSchema, sitesOf: (provider: Provider) => provider.siteIds },
  rooms: { name: 'rooms', schema: roomSchema, sitesOf: bySiteId },
  schedules: {
    name: 'schedules',
    schema: scheduleSchema,
    sitesOf: bySiteId,
    references: [{ field: 'providerId', collection: 'providers' }],
  },
  patients: {
    name: 'patients',
    schema: patientSchema,
    sitesOf: bySiteId,
    references: [{ field: 'mergedInto', collection: 'patients' }],
  },
  appointments: {
    name: 'appointments',
    schema: appointmentSchema,
    sitesOf: bySiteId,
    lifecycle: appointmentSpec as unknown as LifecycleSpec<Appointment, string>,
    fieldGroups: [['start', 'end']],
    references: [
      { field: 'patientId', collection: 'patients' },
      { field: 'providerId', collection: 'providers' },
      { field: 'roomId', collection: 'rooms' },
    ],
  },
  queueEntries: {
    name: 'queueEntries',
    schema: queueEntrySchema,
    sitesOf: bySiteId,
    lifecycle: queueSpec as unknown as LifecycleSpec<QueueEntry, string>,
    references: [
      { field: 'appointmentId', collection: 'appointments' },
      { field: 'patientId', collection: 'patients' },
      { field: 'roomId', collection: 'rooms' },
    ],
  },
  ledger: {
    name: 'ledger',
    schema: ledgerEntrySchema,
    sitesOf: bySiteId,
    lifecyclesByKind: {
      field: 'kind',
      byKind: {
        invoice: { lifecycle: invoiceLifecycle, ...ledgerStatus },
        payment: { lifecycle: paymentLifecycle, ...ledgerStatus },
        claim: { lifecycle: claimLifecycle, ...ledgerStatus },
      } as unknown as Record<string, LifecycleSpec<LedgerEntry, string>>,
    },
    references: [
      { field: 'patientId' as keyof LedgerEntry & string, collection: 'patients' },
      { field: 'appointmentId' as keyof LedgerEntry & string, collection: 'appointments' },
    ],
  },
  // Staff notices (docs/architecture.md §9.6): written by the server, read and marked read by staff.
  notices: {
    name: 'notices',
    schema: noticeSchema,
    sitesOf: bySiteId,
    references: [
      { field: 'appointmentId', collection: 'appointments' },
      { field: 'patientId', collection: 'patients' },
    ],
  },
} satisfies { [K in CollectionName]: CollectionSpec<RecordTypes[K]> };

export const collectionNames = Object.keys(collections) as CollectionName[];

export function collectionSpec<K extends CollectionName>(name: K): CollectionSpec<RecordTypes[K]> {
  return collections[name] as unknown as CollectionSpec<RecordTypes[K]>;
}

type AnySpec = {
  lifecycle?: LifecycleSpec<never, string>;
  lifecyclesByKind?: CollectionSpec<never>['lifecyclesByKind'];
};

/** The lifecycle `record` follows: its collection's, or its kind's in a kind-discriminated collection. */
export function lifecycleOf(spec: object, record: object): LifecycleSpec<object, string> | undefined {
  const { lifecycle, lifecyclesByKind } = spec as AnySpec;
  if (lifecycle) return lifecycle as unknown as LifecycleSpec<object, string>;
  if (!lifecyclesByKind) return undefined;
  const kind = (record as Record<string, unknown>)[lifecyclesByKind.field];
  return typeof kind === 'string'
    ? (lifecyclesByKind.byKind[kind] as unknown as LifecycleSpec<object, string> | undefined)
    : undefined;
}

/** Every lifecycle records of the collection may follow. */
export function lifecyclesOf(spec: object): LifecycleSpec<object, string>[] {
  const { lifecycle, lifecyclesByKind } = spec as AnySpec;
  return [lifecycle, ...Object.values(lifecyclesByKind?.byKind ?? {})].filter(
    (l) => l !== undefined,
  ) as unknown as LifecycleSpec<object, string>[];
}

/** The fields that merge together with `field`: its group, or just itself. */
export function fieldGroupOf(spec: { fieldGroups?: readonly (readonly string[])[] }, field: string): readonly string[] {
  return spec.fieldGroups?.find((group) => group.includes(field)) ?? [field];
}

export function isCollectionName(name: string): name is CollectionName {
  return Object.hasOwn(collections, name);
}
