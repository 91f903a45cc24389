import {
  compareNewestFirst,
  openFlags,
  otherRecordOf,
  type Appointment,
  type AttentionFlag,
  type Patient,
  type Provider,
  type QueueEntry,
} from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { RxDocument } from 'rxdb';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';
import { useFlaggedRecords } from './use-flagged.js';

export type InboxItem =
  | { collection: 'appointments'; record: Appointment; key: string; flag: AttentionFlag }
  | { collection: 'patients'; record: Patient; key: string; flag: AttentionFlag }
  | { collection: 'queueEntries'; record: QueueEntry; key: string; flag: AttentionFlag };

export interface InboxData {
  items: InboxItem[];
  appointments: Map<string, Appointment>;
  patients: Map<string, Patient>;
  queueEntries: Map<string, QueueEntry>;
  providers: Map<string, Provider>;
}

const MAX_PROVIDERS = 200;

function byId<T extends { id: string }>(docs: Map<string, RxDocument<T>>, extra: readonly T[]): Map<string, T> {
  const map = new Map<string, T>(extra.map((record) => [record.id, record]));
  for (const [id, doc] of docs) map.set(id, doc.toJSON() as T);
  return map;
}

/**
 * One line per open attention flag, newest first, with the records each one
 * concerns loaded by id: the other booking, ticket or patient a flag names,
 * the patients and appointments behind them, and the providers.
 */
export function useInbox(workspace: Workspace): InboxData {
  const { db } = workspace;
  const flagged = useFlaggedRecords(workspace);

  const items = useMemo(() => {
    const all: InboxItem[] = [
      ...flagged.appointments.flatMap((record) =>
        openFlags(record).map(({ key, flag }) => ({ collection: 'appointments' as const, record, key, flag })),
      ),
      ...flagged.patients.flatMap((record) =>
        openFlags(record).map(({ key, flag }) => ({ collection: 'patients' as const, record, key, flag })),
      ),
      ...flagged.queueEntries.flatMap((record) =>
        openFlags(record).map(({ key, flag }) => ({ collection: 'queueEntries' as const, record, key, flag })),
      ),
    ];
    return all.sort(compareNewestFirst);
  }, [flagged]);

  // The other records flags name, then the patients and appointments behind every record in view.
  const otherIds = (collection: InboxItem['collection']) =>
    [...new Set(items.filter((i) => i.collection === collection).flatMap((i) => otherRecordOf(i.key) ?? []))].sort();
  const otherAppointmentIds = otherIds('appointments');
  const otherEntryIds = otherIds('queueEntries');
  const otherEntries = useLiveQuery(
    () => db.rx.queueEntries.findByIds(otherEntryIds),
    [db, otherEntryIds.join()],
    new Map<string, RxDocument<QueueEntry>>(),
  );
  const queueEntries = useMemo(() => byId(otherEntries, flagged.queueEntries), [otherEntries, flagged]);

  const appointmentIds = [
    ...new Set([
      ...otherAppointmentIds,
      ...[...queueEntries.values()].flatMap((e) => (e.appointmentId ? [e.appointmentId] : [])),
    ]),
  ].sort();
  const otherAppointments = useLiveQuery(
    () => db.rx.appointments.findByIds(appointmentIds),
    [db, appointmentIds.join()],
    new Map<string, RxDocument<Appointment>>(),
  );
  const appointments = useMemo(() => byId(otherAppointments, flagged.appointments), [otherAppointments, flagged]);

  const patientIds = [
    ...new Set([
      ...otherIds('patients'),
      ...[...appointments.values()].map((a) => a.patientId),
      ...[...queueEntries.values()].map((e) => e.patientId),
    ]),
  ].sort();
  const otherPatients = useLiveQuery(
    () => db.rx.patients.findByIds(patientIds),
    [db, patientIds.join()],
    new Map<string, RxDocument<Patient>>(),
  );
  const patients = useMemo(() => byId(otherPatients, flagged.patients), [otherPatients, flagged]);

  const providerDocs = useLiveQuery(
    () => db.rx.providers.find({ limit: MAX_PROVIDERS }),
    [db],
    [] as RxDocument<Provider>[],
  );
  const providers = useMemo(
    () => new Map(providerDocs.map((doc) => [doc.id, doc.toJSON() as Provider])),
    [providerDocs],
  );

  return { items, appointments, patients, queueEntries, providers };
}
