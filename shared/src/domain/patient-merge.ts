import type { HybridClock } from './hlc.js';
import { changeRecord, resolveFlag, type Actor } from './records.js';
import type { Appointment } from './schemas/appointment.js';
import type { Patient } from './schemas/patient.js';
import type { QueueEntry } from './schemas/queue-entry.js';

/** A merge or its undo was asked for on records it does not apply to. */
export class PatientMergeError extends Error {
  constructor(
    readonly code: 'same-patient' | 'already-merged' | 'not-merged' | 'not-allowed',
    message: string,
  ) {
    super(message);
    this.name = 'PatientMergeError';
  }
}

export interface PatientMergeRecords {
  kept: Patient;
  duplicate: Patient;
  /** The appointments and queue entries to consider; those of other patients are left alone. */
  appointments: readonly Appointment[];
  queueEntries: readonly QueueEntry[];
}

/** Every record a merge (or undo) changes, to be saved visits first, the duplicate last. */
export interface PatientMergeChanges {
  kept: Patient;
  duplicate: Patient;
  appointments: Appointment[];
  queueEntries: QueueEntry[];
}

const DUPLICATE_FLAG = 'probable-duplicate-patient';

function resolveDuplicateFlags(patient: Patient, about: (key: string) => boolean, actor: Actor, now: Date): Patient {
  let next = patient;
  for (const [key, flag] of Object.entries(patient.attention)) {
    if (flag.code === DUPLICATE_FLAG && flag.resolvedAt === null && about(key)) {
      next = resolveFlag('patients', next, key, actor, now);
    }
  }
  return next;
}

/**
 * Merges `duplicate` into `kept`: every appointment and queue entry of the
 * duplicate is moved to the kept patient, so no visit is lost; the duplicate
 * becomes inactive, points at the kept record and remembers what was moved,
 * so an admin can undo the merge; the probable-duplicate flags between the two
 * (and any left on the duplicate, which nobody will look at again) are resolved.
 * The kept patient's own details are not changed.
 */
export function planPatientMerge(
  records: PatientMergeRecords,
  clock: HybridClock,
  actor: Actor,
  now: Date,
): PatientMergeChanges {
  const { kept, duplicate } = records;
  if (kept.id === duplicate.id) throw new PatientMergeError('same-patient', 'a patient cannot be merged into itself');
  if (duplicate.mergedInto !== null) {
    throw new PatientMergeError('already-merged', 'this record has already been merged into another patient');
  }
  if (kept.mergedInto !== null) {
    throw new PatientMergeError('already-merged', 'the patient to keep has itself been merged into another record');
  }
  const appointments = records.appointments
    .filter((appointment) => appointment.patientId === duplicate.id)
    .map((appointment) => changeRecord('appointments', appointment, { patientId: kept.id }, clock));
  const queueEntries = records.queueEntries
    .filter((entry) => entry.patientId === duplicate.id)
    .map((entry) => changeRecord('queueEntries', entry, { patientId: kept.id }, clock));
  const merged = changeRecord(
    'patients',
    resolveDuplicateFlags(duplicate, () => true, actor, now),
    {
      active: false,
      mergedInto: kept.id,
      mergeRecord: {
        at: now.toISOString(),
        by: actor.id,
        wasActive: duplicate.active,
        appointmentIds: appointments.map((appointment) => appointment.id).sort(),
        queueEntryIds: queueEntries.map((entry) => entry.id).sort(),
      },
    },
    clock,
  );
  return {
    kept: resolveDuplicateFlags(kept, (key) => key.endsWith(duplicate.id), actor, now),
    duplicate: merged,
    appointments,
    queueEntries,
  };
}

/**
 * Takes a merge back (admins only): the visits the merge moved, and that still
 * belong to the kept patient, return to the duplicate, which is itself again.
 * Visits booked for the kept patient after the merge stay where they are.
 *
 * The desk undoing may hold the merged patient before the moved visits (each
 * collection syncs on its own): a moved visit it still shows on the duplicate
 * is written back all the same, stamped after the merge, so the move arriving
 * later cannot take it away again.
 */
export function planPatientMergeUndo(
  records: PatientMergeRecords,
  clock: HybridClock,
  actor: Actor,
): PatientMergeChanges {
  const { kept, duplicate } = records;
  if (actor.role !== 'admin') throw new PatientMergeError('not-allowed', 'only an admin can undo a merge');
  const record = duplicate.mergeRecord ?? null;
  if (duplicate.mergedInto !== kept.id || record === null) {
    throw new PatientMergeError('not-merged', 'this record was not merged into that patient');
  }
  const mergedAt = duplicate.clocks.mergedInto;
  if (mergedAt !== undefined) clock.observe(mergedAt);
  const goesBack = (visit: { id: string; patientId: string }, moved: readonly string[]) =>
    moved.includes(visit.id) && (visit.patientId === kept.id || visit.patientId === duplicate.id);
  const appointments = records.appointments
    .filter((appointment) => goesBack(appointment, record.appointmentIds))
    .map((appointment) =>
      changeRecord('appointments', appointment, { patientId: duplicate.id }, clock, { reassert: true }),
    );
  const queueEntries = records.queueEntries
    .filter((entry) => goesBack(entry, record.queueEntryIds))
    .map((entry) => changeRecord('queueEntries', entry, { patientId: duplicate.id }, clock, { reassert: true }));
  const restored = changeRecord(
    'patients',
    duplicate,
    { active: record.wasActive, mergedInto: null, mergeRecord: null },
    clock,
  );
  return { kept, duplicate: restored, appointments, queueEntries };
}
