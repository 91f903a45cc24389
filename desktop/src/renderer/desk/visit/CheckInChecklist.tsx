import type { Patient } from '@medisync/shared/domain';
import { useState, type FormEvent } from 'react';
import { Checkbox, Input, Label, TextField } from 'react-aria-components';
import { birthDateLabel } from '../labels.js';

export interface ChecklistOutcome {
  /** The steps not ticked, in words ("insurance not checked"). */
  skipped: string[];
  reason: string;
}

interface Step {
  id: 'identity' | 'contact' | 'insurance';
  label: string;
  readBack: string;
}

const skippedAs: Record<Step['id'], string> = {
  identity: 'identity not confirmed',
  contact: 'contact not checked',
  insurance: 'insurance not checked',
};

function stepsFor(patient: Patient | null): Step[] {
  if (!patient) {
    return [
      { id: 'identity', label: 'Identity confirmed', readBack: 'The patient record has not reached this device yet.' },
      { id: 'contact', label: 'Contact up to date', readBack: '' },
      { id: 'insurance', label: 'Insurance on file', readBack: '' },
    ];
  }
  const contact = [patient.phone && `phone ${patient.phone}`, patient.email && `email ${patient.email}`]
    .filter(Boolean)
    .join(', ');
  const address = patient.address ? `${patient.address.line1}, ${patient.address.city}` : null;
  return [
    {
      id: 'identity',
      label: 'Identity confirmed',
      readBack: `${patient.givenName} ${patient.familyName}, born ${birthDateLabel(patient.dob)}`,
    },
    {
      id: 'contact',
      label: 'Contact up to date',
      readBack: [contact || 'No phone or email on file', address].filter(Boolean).join('; '),
    },
    {
      id: 'insurance',
      label: 'Insurance on file',
      readBack: patient.insurance
        ? `${patient.insurance.payer}, member ${patient.insurance.memberId}${patient.insurance.groupNumber ? `, group ${patient.insurance.groupNumber}` : ''}`
        : 'No insurance on file (self-pay)',
    },
  ];
}

/**
 * Check-in as a short checklist: read back name and birth date, contact, and
 * insurance; tick what was confirmed. Each step can be skipped (a reason is
 * kept in the visit's notes); none of them blocks the check-in.
 */
export function CheckInChecklist({
  patient,
  busy,
  onCheckIn,
}: {
  patient: Patient | null;
  busy: boolean;
  onCheckIn: (outcome: ChecklistOutcome) => void;
}) {
  const [done, setDone] = useState<Record<Step['id'], boolean>>({ identity: false, contact: false, insurance: false });
  const [reason, setReason] = useState('');
  const steps = stepsFor(patient);
  const skipped = steps.filter((s) => !done[s.id]);

  function submit(event: FormEvent) {
    event.preventDefault();
    onCheckIn({ skipped: skipped.map((s) => skippedAs[s.id]), reason: reason.trim() });
  }

  return (
    <form className="checklist" aria-labelledby="checklist-title" onSubmit={submit}>
      <h3 id="checklist-title">Check-in checklist</h3>
      <ol className="checklist__steps">
        {steps.map((step) => (
          <li key={step.id} className="checklist__step">
            <Checkbox
              className="checkbox"
              isSelected={done[step.id]}
              onChange={(selected) => setDone((d) => ({ ...d, [step.id]: selected }))}
            >
              <span className="checkbox__box" aria-hidden="true">
                {done[step.id] ? '✓' : ''}
              </span>
              <span className="checkbox__label">{step.label}</span>
            </Checkbox>
            {step.readBack && <p className="checklist__readback">{step.readBack}</p>}
          </li>
        ))}
      </ol>
      {skipped.length > 0 && (
        <TextField className="field checklist__reason" value={reason} onChange={setReason}>
          <Label className="field__label">
            Why {skipped.length === 1 ? `“${skipped[0]!.label.toLowerCase()}” is` : 'some steps are'} skipped (optional)
          </Label>
          <Input className="input" maxLength={200} />
        </TextField>
      )}
      <button type="submit" className="button button--primary button--large" disabled={busy} autoFocus>
        Check in
      </button>
    </form>
  );
}
