import { mrnLabel, type Patient } from '@medisync/shared/domain';
import { useMemo, useState } from 'react';
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover } from 'react-aria-components';
import type { RxDocument } from 'rxdb';
import { patientListName } from '../names.js';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';

const MAX_MATCHES = 20;

/**
 * Picks the patient to book for from the local replica: family name first
 * ("garc" or "garcia mar"), at most a screenful of matches, birth date and MRN
 * beside each name to tell namesakes apart.
 */
export function PatientPicker({
  workspace,
  patient,
  onChange,
  isDisabled,
}: {
  workspace: Workspace;
  patient: Patient | null;
  onChange: (patientId: string | null) => void;
  isDisabled?: boolean;
}) {
  const { db, session } = workspace;
  const [typed, setTyped] = useState<string | null>(null);
  const text = typed ?? (patient ? patientListName(patient) : '');
  const terms = useMemo(() => searchTerms(typed ?? ''), [typed]);
  const docs = useLiveQuery(
    () =>
      terms === null
        ? null
        : db.rx.patients.find({
            selector: { siteId: session.site.id, familyName: { $gte: terms.family, $lt: `${terms.family}\uffff` } },
            sort: [{ familyName: 'asc' }],
            limit: MAX_MATCHES * 3,
          }),
    [db, session.site.id, terms?.family],
    [] as RxDocument<Patient>[],
  );
  const matches = useMemo(() => {
    const given = terms?.given ?? '';
    return docs
      .map((doc) => doc.toJSON() as Patient)
      .filter((p) => p.active && p.mergedInto === null && p.givenName.toLowerCase().startsWith(given))
      .slice(0, MAX_MATCHES);
  }, [docs, terms?.given]);
  const items = patient && !matches.some((m) => m.id === patient.id) ? [patient, ...matches] : matches;

  return (
    <ComboBox
      className="field book__patient"
      items={items}
      inputValue={text}
      onInputChange={(value) => setTyped(value)}
      selectedKey={patient?.id ?? null}
      onSelectionChange={(key) => {
        setTyped(null);
        onChange(key === null ? null : String(key));
      }}
      menuTrigger="input"
      isDisabled={isDisabled}
    >
      <Label>Patient</Label>
      <Input placeholder="Family name, then given name" />
      <Popover className="popover">
        <ListBox className="options" renderEmptyState={() => <p className="options__empty">No patient by that name</p>}>
          {(p: Patient) => (
            <ListBoxItem id={p.id} textValue={patientListName(p)} className="option">
              <span className="option__main">{patientListName(p)}</span>
              <span className="option__detail">
                born {p.dob} · {mrnLabel(p)}
              </span>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

/** "garcia mar" -> family name prefix "Garcia", given name prefix "mar". Names are stored capitalised. */
function searchTerms(text: string): { family: string; given: string } | null {
  const [family, given = ''] = text.replace(/,/g, ' ').trim().split(/\s+/);
  if (!family) return null;
  return { family: family[0]!.toUpperCase() + family.slice(1), given: given.toLowerCase() };
}
