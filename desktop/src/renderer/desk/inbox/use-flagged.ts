import type { Appointment, Patient, QueueEntry } from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { RxDocument } from 'rxdb';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';

/** A site has a handful of open flags; far more means something else is wrong, and the inbox still stays bounded. */
export const MAX_FLAGGED_PER_COLLECTION = 500;

export interface FlaggedRecords {
  appointments: Appointment[];
  patients: Patient[];
  queueEntries: QueueEntry[];
}

const json = <T>(docs: RxDocument<T>[]) => docs.map((doc) => doc.toJSON() as T);

/**
 * The records with an open attention flag, from the local replica: one indexed
 * query per collection that can carry flags (`needsAttention`), each bounded.
 */
export function useFlaggedRecords(workspace: Workspace): FlaggedRecords {
  const { db } = workspace;
  const selector = { needsAttention: true };
  const appointments = useLiveQuery(
    () => db.rx.appointments.find({ selector, limit: MAX_FLAGGED_PER_COLLECTION }),
    [db],
    [] as RxDocument<Appointment>[],
  );
  const patients = useLiveQuery(
    () => db.rx.patients.find({ selector, limit: MAX_FLAGGED_PER_COLLECTION }),
    [db],
    [] as RxDocument<Patient>[],
  );
  const queueEntries = useLiveQuery(
    () => db.rx.queueEntries.find({ selector, limit: MAX_FLAGGED_PER_COLLECTION }),
    [db],
    [] as RxDocument<QueueEntry>[],
  );
  return useMemo(
    () => ({ appointments: json(appointments), patients: json(patients), queueEntries: json(queueEntries) }),
    [appointments, patients, queueEntries],
  );
}
