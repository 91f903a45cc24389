import { useParams } from 'react-router';
import type { Workspace } from '../workspace.js';
import { PatientForm } from './PatientForm.js';
import { PatientList } from './PatientList.js';
import { PatientPage } from './PatientPage.js';
import './patients.css';

/**
 * The Patients screen. `/patients?q=` lists matches, `/patients/new` registers,
 * `/patients/:id` is a patient's page and `/patients/:id/edit` edits them: each
 * a URL, so a reload keeps the receptionist's place.
 */
export function PatientsScreen({ workspace }: { workspace: Workspace }) {
  const { patientId, '*': rest } = useParams();
  if (patientId === undefined) return <PatientList workspace={workspace} />;
  if (patientId === 'new') return <PatientForm key="new" workspace={workspace} patientId={null} />;
  if (rest === 'edit') return <PatientForm key={patientId} workspace={workspace} patientId={patientId} />;
  return <PatientPage key={patientId} workspace={workspace} patientId={patientId} />;
}
