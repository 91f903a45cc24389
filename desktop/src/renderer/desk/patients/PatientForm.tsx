import {
  DomainError,
  findProbableDuplicates,
  mrnLabel,
  parseBirthDate,
  parsePatientQuery,
  type FieldIssue,
  type Patient,
  type RecordPatch,
} from '@medisync/shared/domain';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Button, FieldError, Input, Label, Text, TextField } from 'react-aria-components';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAnnounce } from '../announcer.js';
import { patientListName, patientSpokenName } from '../names.js';
import { deskPaths } from '../shell/paths.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { birthDateWithAge, commonLanguages, formatBirthDate, languageName, sexLabels } from './format.js';
import { usePatientIndex } from './patient-index.js';
import { registerPatient, updatePatient, type PatientDetails } from './patient-writes.js';

/** The form as typed: every field text, so nothing the receptionist typed is lost to a parse. */
interface Draft {
  givenName: string;
  familyName: string;
  dob: string;
  sex: '' | Patient['sex'];
  phone: string;
  email: string;
  preferredLanguage: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  region: string;
  country: string;
  payer: string;
  memberId: string;
  groupNumber: string;
}

type Field = keyof Draft;
type Errors = Partial<Record<Field, string>>;

const EMPTY: Draft = {
  givenName: '',
  familyName: '',
  dob: '',
  sex: '',
  phone: '',
  email: '',
  preferredLanguage: 'en',
  line1: '',
  line2: '',
  postalCode: '',
  city: '',
  region: '',
  country: '',
  payer: '',
  memberId: '',
  groupNumber: '',
};

/** Fewer digits cannot be a number the clinic can call back. */
const MIN_PHONE_DIGITS = 7;

function draftOf(patient: Patient): Draft {
  return {
    givenName: patient.givenName,
    familyName: patient.familyName,
    dob: patient.dob,
    sex: patient.sex,
    phone: patient.phone ?? '',
    email: patient.email ?? '',
    preferredLanguage: patient.preferredLanguage,
    line1: patient.address?.line1 ?? '',
    line2: patient.address?.line2 ?? '',
    postalCode: patient.address?.postalCode ?? '',
    city: patient.address?.city ?? '',
    region: patient.address?.region ?? '',
    country: patient.address?.country ?? '',
    payer: patient.insurance?.payer ?? '',
    memberId: patient.insurance?.memberId ?? '',
    groupNumber: patient.insurance?.groupNumber ?? '',
  };
}

/** What the search box held becomes a head start: a birth date or a phone number, or a family name. */
function draftFromQuery(query: string): Draft {
  const terms = parsePatientQuery(query);
  const draft = { ...EMPTY };
  for (const term of terms) {
    if (term.kind === 'dob' && term.dates.length === 1) draft.dob = term.dates[0]!;
    if (term.kind === 'digits') draft.phone = query.trim();
  }
  if (terms.length === 1 && terms[0]!.kind === 'name') draft.familyName = query.trim();
  return draft;
}

function birthDateOf(text: string, today: string): { date: string | null; error: string | null } {
  if (text.trim() === '') return { date: null, error: 'Enter the date of birth.' };
  const dates = parseBirthDate(text);
  if (dates.length === 0) return { date: null, error: 'Type the date like 1988-04-14, 14.04.1988 or 04/14/1988.' };
  if (dates.length > 1) {
    return {
      date: null,
      error: `${text.trim()} could be ${dates.map(formatBirthDate).join(' or ')}: type it as ${dates[0]}.`,
    };
  }
  if (dates[0]! > today) return { date: null, error: 'The date of birth is in the future.' };
  return { date: dates[0]!, error: null };
}

const blank = (value: string) => (value.trim() === '' ? null : value.trim());

/** Checks the form the way a receptionist needs it: each problem in words, next to its field. */
function validate(
  draft: Draft,
  today: string,
  requirePhone: boolean,
): { details: PatientDetails | null; errors: Errors } {
  const errors: Errors = {};
  if (draft.givenName.trim() === '') errors.givenName = 'Enter the given name.';
  if (draft.familyName.trim() === '') errors.familyName = 'Enter the family name.';
  const dob = birthDateOf(draft.dob, today);
  if (dob.error) errors.dob = dob.error;
  if (draft.sex === '') errors.sex = 'Choose one; "Not known" is fine.';
  const digits = draft.phone.replace(/\D/g, '');
  if (digits.length < MIN_PHONE_DIGITS && (requirePhone || draft.phone.trim() !== '')) {
    errors.phone =
      draft.phone.trim() === ''
        ? 'Enter a phone number, so the clinic can call back.'
        : 'That is too short for a phone number.';
  }
  if (draft.email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email.trim())) {
    errors.email = 'That is not an email address.';
  }
  const anyAddress = [draft.line1, draft.line2, draft.postalCode, draft.city, draft.region, draft.country].some(
    (v) => v.trim() !== '',
  );
  if (anyAddress) {
    if (draft.line1.trim() === '') errors.line1 = 'Enter the street and number, or clear the address.';
    if (draft.city.trim() === '') errors.city = 'Enter the town or city.';
    if (draft.postalCode.trim() === '') errors.postalCode = 'Enter the postal code.';
    if (!/^[A-Za-z]{2}$/.test(draft.country.trim())) errors.country = 'Two letters, like US, DE or FR.';
  }
  const anyInsurance = [draft.payer, draft.memberId, draft.groupNumber].some((v) => v.trim() !== '');
  if (anyInsurance) {
    if (draft.payer.trim() === '') errors.payer = 'Enter the insurer, or clear the insurance.';
    if (draft.memberId.trim() === '') errors.memberId = 'Enter the member id from the card.';
  }
  if (Object.keys(errors).length > 0) return { details: null, errors };
  return {
    errors,
    details: {
      givenName: draft.givenName.trim(),
      familyName: draft.familyName.trim(),
      dob: dob.date!,
      sex: draft.sex as Patient['sex'],
      phone: blank(draft.phone),
      email: blank(draft.email),
      preferredLanguage: draft.preferredLanguage,
      address: anyAddress
        ? {
            line1: draft.line1.trim(),
            line2: blank(draft.line2),
            postalCode: draft.postalCode.trim(),
            city: draft.city.trim(),
            region: blank(draft.region),
            country: draft.country.trim().toUpperCase(),
          }
        : null,
      insurance: anyInsurance
        ? { payer: draft.payer.trim(), memberId: draft.memberId.trim(), groupNumber: blank(draft.groupNumber) }
        : null,
    },
  };
}

/** The domain's own objections ("address.city: too long"), put next to the field they are about. */
function errorsFromIssues(issues: FieldIssue[]): Errors {
  const errors: Errors = {};
  for (const issue of issues) {
    const [head, sub] = issue.path.split('.');
    const field = (head === 'address' || head === 'insurance' ? sub : head) as Field | undefined;
    if (field && field in EMPTY) errors[field] ??= issue.message;
  }
  return errors;
}

const FIELD_ORDER = Object.keys(EMPTY) as Field[];

/**
 * Registers a patient (`patientId` null) or edits one. Only what check-in
 * needs is required: names, birth date, sex, phone; the rest can wait. Records
 * that may be the same person are shown while typing, and saving past them
 * takes a second, deliberate press.
 */
export function PatientForm({ workspace, patientId }: { workspace: Workspace; patientId: string | null }) {
  const navigate = useNavigate();
  const announce = useAnnounce();
  const [params] = useSearchParams();
  const today = useSiteToday(workspace.session.site.timezone).date;
  const [original, setOriginal] = useState<Patient | null | undefined>(patientId === null ? null : undefined);
  const [draft, setDraft] = useState<Draft>(() => (patientId === null ? draftFromQuery(params.get('q') ?? '') : EMPTY));
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [duplicatesSeen, setDuplicatesSeen] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const duplicatesRef = useRef<HTMLElement>(null);
  const { store, version } = usePatientIndex(workspace.db);

  useEffect(() => {
    if (patientId === null) return;
    // Read once: a live query would overwrite what the receptionist is typing.
    void workspace.db.rx.patients
      .findOne(patientId)
      .exec()
      .then((doc) => {
        const patient = (doc?.toJSON() as Patient | undefined) ?? null;
        setOriginal(patient);
        if (patient) setDraft(draftOf(patient));
      });
  }, [workspace.db, patientId]);

  const dob = birthDateOf(draft.dob, today).date;
  const duplicates = useMemo(
    () =>
      dob === null && draft.phone.replace(/\D/g, '').length < MIN_PHONE_DIGITS
        ? []
        : findProbableDuplicates(
            { id: patientId ?? undefined, familyName: draft.familyName, dob: dob ?? '', phone: draft.phone },
            store.index.all(),
            (keys) => keys.identity,
            5,
          ),
    // `version` changes whenever the replica's patients do.
    [store, version, patientId, draft.familyName, dob, draft.phone],
  );
  // An edit only stops for records that its own changes made look alike: the others were on file before.
  const alreadyAlike = useMemo(
    () =>
      new Set(
        original
          ? findProbableDuplicates(original, store.index.all(), (keys) => keys.identity, 50).map((d) => d.patient.id)
          : [],
      ),
    [store, version, original],
  );
  const newDuplicates = duplicates.filter((d) => !alreadyAlike.has(d.patient.id));
  const duplicateKey = newDuplicates.map((d) => d.patient.id).join();
  useEffect(() => setDuplicatesSeen(false), [duplicateKey]);

  const set = (field: Field) => (value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
  };

  function showErrors(found: Errors) {
    setErrors(found);
    const fields = FIELD_ORDER.filter((f) => found[f]);
    announce(
      `Not saved. ${fields.length === 1 ? 'One field needs' : `${fields.length} fields need`} attention: ${fields
        .map((f) => found[f])
        .join(' ')}`,
    );
    formRef.current?.querySelector<HTMLElement>(`[name="${fields[0]}"]`)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const { details, errors: found } = validate(draft, today, original === null);
    if (details === null) return showErrors(found);
    if (newDuplicates.length > 0 && !duplicatesSeen) {
      setDuplicatesSeen(true);
      announce(
        `Not saved yet: ${newDuplicates.length === 1 ? 'a patient' : `${newDuplicates.length} patients`} on file may be the same person. Open one, or save again to keep this as a new record.`,
      );
      duplicatesRef.current?.focus();
      return;
    }
    setSaving(true);
    try {
      const saved =
        original === null || original === undefined
          ? await registerPatient(workspace, details)
          : await updatePatient(workspace, original.id, changedFields(original, details));
      announce(original ? `Saved ${patientSpokenName(saved)}` : `Registered ${patientSpokenName(saved)}`);
      void navigate(deskPaths.patient(saved.id));
    } catch (error) {
      if (error instanceof DomainError && Array.isArray(error.details.issues)) {
        const mapped = errorsFromIssues(error.details.issues as FieldIssue[]);
        if (Object.keys(mapped).length > 0) showErrors(mapped);
        else setFailure(error.message);
      } else {
        setFailure(error instanceof Error ? error.message : 'The patient could not be saved on this device.');
      }
    } finally {
      setSaving(false);
    }
  }

  if (original === undefined) return <section className="patient-form" aria-busy="true" />;
  const editing = original !== null;
  const title = editing ? `Edit ${patientListName(original)}` : 'Register a patient';
  const textField = (
    field: Field,
    label: string,
    options: { hint?: string; type?: string; required?: boolean } = {},
  ) => (
    <TextField
      className="field"
      name={field}
      value={draft[field]}
      onChange={set(field)}
      isInvalid={errors[field] !== undefined}
      isRequired={options.required}
      type={options.type}
      validationBehavior="aria"
    >
      <Label>{label}</Label>
      <Input />
      {options.hint && (
        <Text slot="description" className="field__hint">
          {options.hint}
        </Text>
      )}
      <FieldError className="error">{errors[field]}</FieldError>
    </TextField>
  );

  return (
    <section className="patient-form" aria-labelledby="patient-form-title">
      <h1 id="patient-form-title">{title}</h1>
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate>
        <fieldset className="form-group">
          <legend>Needed to check in</legend>
          <div className="form-grid">
            {textField('givenName', 'Given name', { required: true })}
            {textField('familyName', 'Family name', { required: true })}
            {textField('dob', 'Date of birth', {
              required: true,
              hint: dob ? formatBirthDate(dob) : 'e.g. 1988-04-14, 14.04.1988 or 04/14/1988',
            })}
            <SelectField
              name="sex"
              label="Sex"
              value={draft.sex}
              onChange={set('sex')}
              error={errors.sex}
              required
              options={[
                ['', 'Choose…'],
                ...Object.entries(sexLabels).map(([value, label]) => [value, label] as [string, string]),
              ]}
            />
            {textField('phone', 'Phone', { required: !editing, type: 'tel' })}
          </div>
        </fieldset>

        {duplicates.length > 0 && (
          <section
            ref={duplicatesRef}
            tabIndex={-1}
            className={`duplicates${duplicatesSeen ? ' duplicates--confirm' : ''}`}
            aria-labelledby="form-duplicates-title"
          >
            <h2 id="form-duplicates-title">Possibly already registered</h2>
            <ul>
              {duplicates.map(({ patient, reasons }) => (
                <li key={patient.id} className="duplicates__item">
                  <span>
                    {patientListName(patient)}, born {birthDateWithAge(patient.dob, today)}, {mrnLabel(patient)}
                    {patient.phone && <>, {patient.phone}</>}
                    <span className="muted">
                      {' '}
                      (
                      {reasons
                        .map((r) => (r === 'phone' ? 'same phone' : 'same family name and birth date'))
                        .join(' and ')}
                      )
                    </span>
                  </span>
                  <Link className="button" to={deskPaths.patient(patient.id)}>
                    Open {patientListName(patient)} instead
                  </Link>
                </li>
              ))}
            </ul>
            <p className="muted">
              {duplicatesSeen
                ? `Press “${editing ? 'Save anyway' : 'Register anyway'}” if this is a different person.`
                : 'Check these before saving: opening the existing record avoids a duplicate.'}
            </p>
          </section>
        )}

        <fieldset className="form-group">
          <legend>Contact (can wait)</legend>
          <div className="form-grid">
            {textField('email', 'Email', { type: 'email' })}
            <SelectField
              name="preferredLanguage"
              label="Preferred language"
              value={draft.preferredLanguage}
              onChange={set('preferredLanguage')}
              options={[...new Set([...commonLanguages, draft.preferredLanguage])].map(
                (tag) => [tag, languageName(tag)] as [string, string],
              )}
            />
            {textField('line1', 'Street and number')}
            {textField('line2', 'Address line 2')}
            {textField('postalCode', 'Postal code')}
            {textField('city', 'Town or city')}
            {textField('region', 'State or region')}
            {textField('country', 'Country', { hint: 'Two letters, e.g. US' })}
          </div>
        </fieldset>

        <fieldset className="form-group">
          <legend>Insurance (can wait)</legend>
          <div className="form-grid">
            {textField('payer', 'Insurer')}
            {textField('memberId', 'Member id')}
            {textField('groupNumber', 'Group number')}
          </div>
        </fieldset>

        {failure && (
          <p className="error" role="alert">
            {failure}
          </p>
        )}
        <div className="form-actions">
          <Button type="submit" className="button button--primary" isDisabled={saving}>
            {duplicatesSeen
              ? editing
                ? 'Save anyway'
                : 'Register anyway'
              : editing
                ? 'Save changes'
                : 'Register patient'}
          </Button>
          <Link className="button" to={editing ? deskPaths.patient(original.id) : deskPaths.patients()}>
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}

/** Only what changed, so an edit never overwrites a field another desk changed meanwhile. */
function changedFields(original: Patient, details: PatientDetails): RecordPatch<'patients'> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(details)) {
    if (JSON.stringify(value) !== JSON.stringify(original[field as keyof PatientDetails])) patch[field] = value;
  }
  return patch as RecordPatch<'patients'>;
}

/** A native select: keyboard and screen readers know it, and typing a letter jumps to the option. */
function SelectField({
  name,
  label,
  value,
  onChange,
  options,
  error,
  required,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: [string, string][];
  error?: string;
  required?: boolean;
}): ReactNode {
  const id = useId();
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-required={required}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-error`} className="error">
          {error}
        </span>
      )}
    </div>
  );
}
