import { mrnLabel, type PatientSearchKeys } from '@medisync/shared/domain';
import { useMemo, useState, type RefObject } from 'react';
import { ComboBox, Input, ListBox, ListBoxItem, Popover } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { patientListName } from '../names.js';
import { deskPaths } from '../shell/paths.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { birthDateWithAge } from './format.js';
import { usePatientIndex } from './patient-index.js';
import { patientsSearchPath, registerPatientPath } from './paths.js';

/** A screenful under the top bar; the Patients screen lists the rest. */
const SHOWN = 8;
const SHOW_ALL = 'show-all';

type Option = { id: string; patient: PatientSearchKeys | null };

/**
 * The top bar's "Find a patient" box (focused from anywhere with / or Ctrl+K):
 * results as you type from the local replica, by name in any order, birth
 * date, MRN or phone. Arrow keys pick a patient and Enter opens them; the last
 * option lists every match on the Patients screen.
 */
export function PatientSearch({
  workspace,
  inputRef,
}: {
  workspace: Workspace;
  inputRef?: RefObject<HTMLInputElement | null>;
}) {
  const navigate = useNavigate();
  const { store, version } = usePatientIndex(workspace.db);
  const today = useSiteToday(workspace.session.site.timezone).date;
  const [query, setQuery] = useState('');
  const result = useMemo(
    () => store.index.search(query, SHOWN),
    // `version` changes whenever the replica's patients do.
    [store, query, version],
  );
  const options: Option[] = useMemo(
    () => [
      ...result.hits.map((patient) => ({ id: patient.id, patient })),
      ...(query.trim() === '' ? [] : [{ id: SHOW_ALL, patient: null }]),
    ],
    [result, query],
  );

  function open(key: string) {
    // After React Aria has put the picked option's text in the box: the box is empty for the next patient.
    setTimeout(() => setQuery(''));
    if (key !== SHOW_ALL) void navigate(deskPaths.patient(key));
    else void navigate(result.total === 0 ? registerPatientPath(query) : patientsSearchPath(query));
  }

  return (
    <ComboBox
      aria-label="Find a patient"
      className="patient-search"
      items={options}
      inputValue={query}
      onInputChange={setQuery}
      selectedKey={null}
      // React Aria reports "nothing picked" on Escape and on leaving the box: the search starts afresh.
      onSelectionChange={(key) => (key === null ? setQuery('') : open(String(key)))}
      menuTrigger="input"
    >
      <Input
        ref={inputRef}
        className="patient-search__input"
        placeholder="Find a patient"
        title="Name in any order, birth date, MRN or phone"
        onKeyDown={(event) => {
          // Enter with nothing picked lists every match, like "Show all".
          if (
            event.key === 'Enter' &&
            query.trim() !== '' &&
            !event.currentTarget.getAttribute('aria-activedescendant')
          ) {
            open(SHOW_ALL);
          }
        }}
      />
      <Popover className="popover patient-search__popover" placement="bottom start">
        <ListBox
          className="options"
          renderEmptyState={() => <p className="options__empty">Type a name, birth date, MRN or phone number</p>}
        >
          {(option: Option) =>
            option.patient === null ? (
              <ListBoxItem id={option.id} textValue="Show all matches" className="option option--all">
                {result.total === 0
                  ? `No patient matches “${query.trim()}”: register a new patient`
                  : result.total === 1
                    ? 'Show the match on the Patients screen'
                    : `Show all ${result.total} matches on the Patients screen`}
              </ListBoxItem>
            ) : (
              <ListBoxItem id={option.id} textValue={patientListName(option.patient)} className="option">
                <span className="option__main">
                  {patientListName(option.patient)}
                  {!option.patient.active && <span className="tag"> inactive</span>}
                </span>
                <span className="option__detail">
                  born {birthDateWithAge(option.patient.dob, today)} · {mrnLabel(option.patient)}
                </span>
              </ListBoxItem>
            )
          }
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
