import { changeRecord, type ContactConsent, type Patient } from '@medisync/shared/domain';
import { useEffect, useState } from 'react';
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
  const [choice, setChoice] = useState<Choice>(stored ?? NONE);
  const [saving, setSaving] = useState(false);
  useEffect(() => setChoice(patient.contactConsent ?? NONE), [patient.contactConsent]);
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
          onChange={(selected) => setChoice((current) => ({ ...current, [key]: selected }))}
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
