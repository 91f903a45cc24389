import { mrnLabel } from '@medisync/shared/domain';
import { useMemo } from 'react';
import { Input, Label, SearchField } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { patientListName } from '../names.js';
import { deskPaths } from '../shell/paths.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { birthDateWithAge } from './format.js';
import { usePatientIndex } from './patient-index.js';
import { registerPatientPath } from './paths.js';

/** More than a screen would need; past this, typing more narrows faster than scrolling. */
const LISTED = 100;

/** Every match for a query, with birth date, MRN and phone to tell namesakes apart, and the way to register. */
export function PatientList({ workspace }: { workspace: Workspace }) {
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const { store, version, loaded } = usePatientIndex(workspace.db);
  const today = useSiteToday(workspace.session.site.timezone).date;
  // `version` changes whenever the replica's patients do.
  const result = useMemo(() => store.index.search(query, LISTED), [store, query, version]);

  return (
    <section className="patients" aria-labelledby="patients-title">
      <div className="patients__head">
        <h1 id="patients-title">Patients</h1>
        <Link className="button button--primary" to={registerPatientPath(query)}>
          Register a new patient
        </Link>
      </div>
      <SearchField
        className="field patients__search"
        value={query}
        onChange={(value) => setParams(value === '' ? {} : { q: value }, { replace: true })}
        autoFocus
      >
        <Label>Search patients</Label>
        <Input placeholder="Name in any order, birth date, MRN or phone" />
      </SearchField>
      <p className="patients__count" role="status">
        {summary(query, result.total, result.hits.length, loaded, store.index.size)}
      </p>
      {result.hits.length > 0 && (
        <table className="patients__table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Born</th>
              <th scope="col">MRN</th>
              <th scope="col">Phone</th>
            </tr>
          </thead>
          <tbody>
            {result.hits.map((patient) => (
              <tr key={patient.id}>
                <td>
                  <Link to={deskPaths.patient(patient.id)}>{patientListName(patient)}</Link>
                  {!patient.active && <span className="tag">inactive</span>}
                </td>
                <td>{birthDateWithAge(patient.dob, today)}</td>
                <td className={patient.mrn === null ? 'muted' : undefined}>{mrnLabel(patient)}</td>
                <td>{patient.phone ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function summary(query: string, total: number, shown: number, loaded: boolean, held: number): string {
  if (query.trim() === '') {
    return loaded
      ? `${held.toLocaleString('en')} patients on this desk. Type a name, birth date, MRN or phone number.`
      : 'Loading patients from this desk…';
  }
  if (total === 0) {
    return loaded
      ? 'No patient matches. Check the spelling or another detail, or register a new patient.'
      : 'No match yet: patients are still loading on this desk.';
  }
  if (total > shown) return `${total.toLocaleString('en')} matches; the first ${shown} shown. Type more to narrow.`;
  return total === 1 ? '1 match' : `${total} matches`;
}
