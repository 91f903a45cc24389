import {
  changeRecord,
  createRecord,
  DomainError,
  newAccount,
  newId,
  type Patient,
  type QueueEntry,
  type RecordPatch,
  type Site,
} from '@medisync/shared/domain';
import { queueArrival } from '@medisync/shared/sync';
import { knownCurrency } from '../billing/billing-api.js';
import { deskActor, type Workspace } from '../workspace.js';

/** What the registration and edit form collects; the rest of a patient record is the desk's to set. */
export type PatientDetails = Pick<
  Patient,
  'givenName' | 'familyName' | 'dob' | 'sex' | 'phone' | 'email' | 'address' | 'preferredLanguage' | 'insurance'
>;

/**
 * Registers a patient on this device: no MRN until the server gives one
 * ("MRN pending"), active, merged into nobody. A local write that syncs when it can.
 */
export async function registerPatient(workspace: Workspace, details: PatientDetails): Promise<Patient> {
  const { db, session } = workspace;
  const patient = createRecord(
    'patients',
    { ...details, id: newId(), siteId: session.site.id, mrn: null, active: true, mergedInto: null },
    db.clock,
    deskActor(workspace),
  );
  await db.save('patients', patient);
  // The patient's billing account comes with them (docs/architecture.md §9.7); its id derives from theirs.
  await db.save('ledger', newAccount(patient, knownCurrency(), db.clock, deskActor(workspace)));
  return patient;
}

/** Saves the fields the desk changed; each gets a fresh clock, so the edit wins over older ones when devices meet. */
export async function updatePatient(
  workspace: Workspace,
  patientId: string,
  patch: RecordPatch<'patients'>,
): Promise<Patient> {
  const { db } = workspace;
  const doc = await db.rx.patients.findOne(patientId).exec();
  if (doc === null) throw new DomainError('invalid-record', 'This patient is not on this device.');
  const next = changeRecord('patients', doc.toJSON() as Patient, patch, db.clock);
  await db.save('patients', next);
  return next;
}

/**
 * Queues a patient who came without an appointment: a ticket from the desk's
 * leased block (its own fallback code offline), no network needed.
 */
export async function walkIn(
  workspace: Workspace,
  patientId: string,
  priority: QueueEntry['priority'] = 'normal',
): Promise<QueueEntry> {
  const { db, session } = workspace;
  const site = (await db.rx.sites.findOne(session.site.id).exec())?.toJSON() as Site | undefined;
  if (site === undefined) {
    throw new DomainError('invalid-record', 'The site has not reached this device yet; try again in a moment.');
  }
  return queueArrival(db, workspace.tickets, site, { appointmentId: null, patientId, priority }, deskActor(workspace));
}
