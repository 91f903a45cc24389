import type { z } from 'zod';
import { appointmentLifecycle, appointmentSchema, type Appointment } from './schemas/appointment.js';
import { patientSchema, type Patient } from './schemas/patient.js';
import { providerSchema, type Provider } from './schemas/provider.js';
import { queueEntrySchema, queueLifecycle, type QueueEntry } from './schemas/queue-entry.js';
import { roomSchema, type Room } from './schemas/room.js';
import { scheduleSchema, type Schedule } from './schemas/schedule.js';
import { siteSchema, type Site } from './schemas/site.js';
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
   * Fields that only make sense together and so merge as one value: per-field
   * last-writer-wins could pair one device's new start with another's new end
   * and produce an appointment that ends before it starts.
   */
  fieldGroups?: readonly (readonly (keyof T & string)[])[];
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

/**
 * Every replicated collection, in the order a new device should receive them
 * (reference data first, so screens can resolve names as records arrive).
 */
export const collections = {
  sites: { name: 'sites', schema: siteSchema, sitesOf: (site: Site) => [site.id] },
  providers: { name: 'providers', schema: providerSchema, sitesOf: (provider: Provider) => provider.siteIds },
  rooms: { name: 'rooms', schema: roomSchema, sitesOf: bySiteId },
  schedules: { name: 'schedules', schema: scheduleSchema, sitesOf: bySiteId },
  patients: { name: 'patients', schema: patientSchema, sitesOf: bySiteId },
  appointments: {
    name: 'appointments',
    schema: appointmentSchema,
    sitesOf: bySiteId,
    lifecycle: appointmentSpec as unknown as LifecycleSpec<Appointment, string>,
    fieldGroups: [['start', 'end']],
  },
  queueEntries: {
    name: 'queueEntries',
    schema: queueEntrySchema,
    sitesOf: bySiteId,
    lifecycle: queueSpec as unknown as LifecycleSpec<QueueEntry, string>,
  },
} satisfies { [K in CollectionName]: CollectionSpec<RecordTypes[K]> };

export const collectionNames = Object.keys(collections) as CollectionName[];

export function collectionSpec<K extends CollectionName>(name: K): CollectionSpec<RecordTypes[K]> {
  return collections[name] as unknown as CollectionSpec<RecordTypes[K]>;
}

/** The fields that merge together with `field`: its group, or just itself. */
export function fieldGroupOf(spec: { fieldGroups?: readonly (readonly string[])[] }, field: string): readonly string[] {
  return spec.fieldGroups?.find((group) => group.includes(field)) ?? [field];
}

export function isCollectionName(name: string): name is CollectionName {
  return Object.hasOwn(collections, name);
}
