import { deskPaths } from '../shell/paths.js';

/** Paths inside the Patients screen, beside the shell's `deskPaths.patients()` and `deskPaths.patient(id)`. */
export const patientsSearchPath = (query: string) =>
  query.trim() === '' ? deskPaths.patients() : `${deskPaths.patients()}?q=${encodeURIComponent(query.trim())}`;

export const registerPatientPath = (prefill?: string) =>
  prefill ? `${deskPaths.patients()}/new?q=${encodeURIComponent(prefill)}` : `${deskPaths.patients()}/new`;

export const editPatientPath = (patientId: string) => `${deskPaths.patient(patientId)}/edit`;
