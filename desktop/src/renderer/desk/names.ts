import type { Patient } from '@medisync/shared/domain';

/** "Garcia, Maria": how the desk lists patients. */
export function patientListName(patient: Pick<Patient, 'givenName' | 'familyName'> | undefined): string {
  return patient ? `${patient.familyName}, ${patient.givenName}` : 'Patient not loaded yet';
}

/** "Maria Garcia": how the desk speaks of a patient. */
export function patientSpokenName(patient: Pick<Patient, 'givenName' | 'familyName'> | undefined): string {
  return patient ? `${patient.givenName} ${patient.familyName}` : 'the patient';
}
