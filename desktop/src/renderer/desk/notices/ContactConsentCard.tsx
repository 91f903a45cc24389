import { changeRecord, type ContactConsent, type Patient } from '@medisync/shared/domain';
import { useState } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { useAnnounce } from '../announcer.js';
import type { Workspace } from '../workspace.js';
import './notices.css';

const CHANNELS = [
  { key: 'email', label: 'Appointment reminders by email', needs: 'email' },
  { key: 'sms', label: 'Appointment reminders by SMS', needs: 'phone' },
  { key: 'almostTurnSms', label: '“Almost your turn” SMS while waiting', needs: 'phone' },
] as const;

const CHANGED_VIA: Record<ContactConsent['changedVia'], string> = {
  desk: ' at the desk',
  kiosk: ' at the kiosk',
  'unsubscribe-link': ' by the patient, from an unsubscribe link',
  'sms-stop': ' by the patient, replying STOP to an SMS',
  api: ' through the API',
};

type Choice = Pick<ContactConsent, 'email' | 'sms' | 'almostTurnSms'>;

const NONE: Choice = { email: false, sms: false, almostTurnSms: false };

/**
 * What the patient agreed to receive (docs/architecture.md §9.6), asked at the
 * desk: one box per channel, saved to the replica (offline too) and synced. An
 * opt-out by the patient (unsubscribe link, STOP) shows here as it arrives.
 */
export function ContactConsentCard({ workspace, patient }: { workspace: Workspace; patient: Patient }) {
  const announce = useAnnounce();
  const stored = patient.contactConsent ?? null;
  // The boxes show the stored choices until the receptionist changes one, and again once
  // the stored choices change (an opt-out arriving): in the same render, never a frame late.
  const over = JSON.stringify(stored);
  const [edit, setEdit] = useState<{ over: string; choice: Choice } | null>(null);
  const current = (e: typeof edit) => (e !== null && e.over === over ? e.choice : (stored ?? NONE));
  const choice = current(edit);
  const choose = (key: keyof Choice, selected: boolean) =>
    setEdit((e) => ({ over, choice: { ...current(e), [key]: selected } }));
  const [saving, setSaving] = useState(false);
  const changed = CHANNELS.some(({ key }) => choice[key] !== (stored ?? NONE)[key]);

  async function save() {
    setSaving(true);
    try {
      const consent: ContactConsent = { ...choice, changedAt: new Date().toISOString(), changedVia: 'desk' };
      await workspace.db.save(
        'patients',
        changeRecord('patients', patient, { contactConsent: consent }, workspace.db.clock),
      );
      announce('Message choices saved');
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card" aria-labelledby="consent-title" data-testid="contact-consent">
      <h2 id="consent-title">Messages the patient agreed to</h2>
      {CHANNELS.map(({ key, label, needs }) => (
        <Checkbox
          key={key}
          className="checkbox consent__choice"
          isSelected={choice[key]}
          onChange={(selected) => choose(key, selected)}
        >
          <span className="checkbox__box" aria-hidden="true">
            {choice[key] ? '✓' : ''}
          </span>
          <span className="checkbox__label">
            {label}
            {patient[needs] === null && (
              <span className="muted"> (no {needs === 'email' ? 'email' : 'phone number'} on file)</span>
            )}
          </span>
        </Checkbox>
      ))}
      {stored && (
        <p className="muted">
          Last changed {new Date(stored.changedAt).toLocaleDateString('en-GB')}
          {CHANGED_VIA[stored.changedVia]}.
        </p>
      )}
      <Button className="button" isDisabled={!changed || saving} onPress={() => void save()}>
        Save message choices
      </Button>
    </section>
  );
}
