import {
  planPatientMerge,
  planPatientMergeUndo,
  PatientMergeError,
  type Actor,
  type Appointment,
  type Patient,
  type PatientMergeChanges,
  type QueueEntry,
} from '../domain/index.js';
import type { DeviceDatabase } from './database.js';

async function loadPatient(db: DeviceDatabase, id: string): Promise<Patient> {
  const doc = await db.rx.patients.findOne(id).exec();
  if (doc === null) throw new PatientMergeError('not-merged', `patient ${id} is not on this device`);
  return doc.toJSON() as Patient;
}

/** Every visit of one patient on this device: a one-off read, not a subscription. */
async function visitsOf(db: DeviceDatabase, patientId: string) {
  const [appointments, queueEntries] = await Promise.all([
    db.rx.appointments.find({ selector: { patientId } }).exec(),
    db.rx.queueEntries.find({ selector: { patientId } }).exec(),
  ]);
  return {
    appointments: appointments.map((doc) => doc.toJSON() as Appointment),
    queueEntries: queueEntries.map((doc) => doc.toJSON() as QueueEntry),
  };
}

/**
 * Saves a merge's changes: the moved visits first, the duplicate last, so a
 * merge cut short (the app closed half way) leaves the duplicate still active
 * with some visits already moved, and merging again finishes it.
 */
async function saveChanges(db: DeviceDatabase, changes: PatientMergeChanges): Promise<void> {
  for (const appointment of changes.appointments) await db.save('appointments', appointment);
  for (const entry of changes.queueEntries) await db.save('queueEntries', entry);
  await db.save('patients', changes.kept);
  await db.save('patients', changes.duplicate);
}

/**
 * Merges the patient `duplicateId` into `keptId` on this device (an ordinary
 * local write that syncs like any other): every appointment and queue entry
 * moves to the kept patient, the duplicate becomes inactive and points to it,
 * and the probable-duplicate flags between them are resolved. See
 * `planPatientMerge` for the rule and `undoMergePatients` for taking it back.
 */
export async function mergePatients(
  db: DeviceDatabase,
  ids: { keptId: string; duplicateId: string },
  actor: Actor,
  now = new Date(),
): Promise<PatientMergeChanges> {
  const [kept, duplicate] = await Promise.all([loadPatient(db, ids.keptId), loadPatient(db, ids.duplicateId)]);
  const visits = await visitsOf(db, duplicate.id);
  const changes = planPatientMerge({ kept, duplicate, ...visits }, db.clock, actor, now);
  await saveChanges(db, changes);
  return changes;
}

/** Takes back a merge (admins only): the visits it moved return to the merged record, which is active again. */
export async function undoMergePatients(
  db: DeviceDatabase,
  duplicateId: string,
  actor: Actor,
): Promise<PatientMergeChanges> {
  const duplicate = await loadPatient(db, duplicateId);
  if (duplicate.mergedInto === null) throw new PatientMergeError('not-merged', 'this patient has not been merged');
  const kept = await loadPatient(db, duplicate.mergedInto);
  const moved = duplicate.mergeRecord;
  const [appointments, queueEntries] = await Promise.all([
    db.rx.appointments.findByIds(moved?.appointmentIds ?? []).exec(),
    db.rx.queueEntries.findByIds(moved?.queueEntryIds ?? []).exec(),
  ]);
  const changes = planPatientMergeUndo(
    {
      kept,
      duplicate,
      appointments: [...appointments.values()].map((doc) => doc.toJSON() as Appointment),
      queueEntries: [...queueEntries.values()].map((doc) => doc.toJSON() as QueueEntry),
    },
    db.clock,
    actor,
  );
  await saveChanges(db, changes);
  return changes;
}
