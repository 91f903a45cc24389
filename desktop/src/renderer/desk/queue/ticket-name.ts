import type { Patient } from '@medisync/shared/domain';

/** "M. Garcia": enough to tell patients apart on a ticket without spelling out a full name across the room. */
export function shortName(patient: Pick<Patient, 'givenName' | 'familyName'> | undefined): string {
  if (patient === undefined) return 'patient not loaded yet';
  const initial = patient.givenName.trim().charAt(0);
  return initial ? `${initial}. ${patient.familyName}` : patient.familyName;
}

/** "(Maria Garcia)": the spoken name after a ticket in announcements. */
export function ticketName(
  item: { patient: Pick<Patient, 'givenName' | 'familyName'> | undefined } | undefined,
): string {
  const patient = item?.patient;
  return patient ? `(${patient.givenName} ${patient.familyName})` : '';
}
