import { changeRecord, DomainError, type ReminderPolicy, type Site } from '@medisync/shared/domain';
import { useState } from 'react';
import { Button, Checkbox, Input, Label, TextField } from 'react-aria-components';
import { useAnnounce } from '../announcer.js';
import { useSiteRecord } from '../use-site-record.js';
import type { Workspace } from '../workspace.js';

interface Draft {
  enabled: boolean;
  hoursBefore: string;
  quietFrom: string;
  quietTo: string;
  almostTurnSms: boolean;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  region: string;
  country: string;
}

function draftOf(site: Site): Draft {
  const policy = site.reminders;
  const address = site.address;
  return {
    enabled: policy?.enabled ?? false,
    hoursBefore: (policy?.minutesBefore ?? [2880, 120]).map((m) => String(m / 60)).join(', '),
    quietFrom: policy?.quietHours?.start ?? '',
    quietTo: policy?.quietHours?.end ?? '',
    almostTurnSms: policy?.almostTurnSms ?? false,
    line1: address?.line1 ?? '',
    line2: address?.line2 ?? '',
    postalCode: address?.postalCode ?? '',
    city: address?.city ?? '',
    region: address?.region ?? '',
    country: address?.country ?? '',
  };
}

/** What the form says, as the site's settings, or what is wrong with it. */
function settingsOf(draft: Draft): { reminders: ReminderPolicy; address: Site['address'] } | string {
  const hours = draft.hoursBefore
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  if (hours.some((h) => !(h > 0)) || hours.length > 4) return 'Hours before: up to four numbers, like 48, 2.';
  const quiet = draft.quietFrom || draft.quietTo ? { start: draft.quietFrom, end: draft.quietTo } : null;
  const blank = (value: string) => (value.trim() === '' ? null : value.trim());
  const anyAddress = [draft.line1, draft.city, draft.postalCode, draft.country].some((v) => v.trim() !== '');
  return {
    reminders: {
      enabled: draft.enabled,
      minutesBefore: hours.map((h) => Math.round(h * 60)),
      quietHours: quiet,
      almostTurnSms: draft.almostTurnSms,
    },
    address: anyAddress
      ? {
          line1: draft.line1.trim(),
          line2: blank(draft.line2),
          city: draft.city.trim(),
          region: blank(draft.region),
          postalCode: draft.postalCode.trim(),
          country: draft.country.trim().toUpperCase(),
        }
      : null,
  };
}

/**
 * An admin's settings for the site's reminders (docs/architecture.md §9.6):
 * when they go, the quiet hours, "almost your turn" texts, and the address a
 * reminder prints. Saved to the site record like any site setting, and synced.
 */
export function ReminderSettings({ workspace }: { workspace: Workspace }) {
  const announce = useAnnounce();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const site = useSiteRecord(workspace);

  function open() {
    if (site === null) return;
    setProblem(null);
    setDraft(draftOf(site));
  }

  async function save(current: Draft) {
    const settings = settingsOf(current);
    if (typeof settings === 'string') return setProblem(settings);
    const site = (await workspace.db.rx.sites.findOne(workspace.session.site.id).exec())?.toJSON() as Site | undefined;
    if (site === undefined) return;
    try {
      await workspace.db.save('sites', changeRecord('sites', site, settings, workspace.db.clock));
      setDraft(null);
      announce('Reminder settings saved');
    } catch (error) {
      const issues =
        error instanceof DomainError
          ? (error.details as { issues?: { path: string; message: string }[] }).issues
          : undefined;
      setProblem(issues ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : String(error));
    }
  }

  const text = (field: keyof Draft, label: string, type = 'text') => (
    <TextField
      className="field"
      value={String(draft![field])}
      onChange={(value) => setDraft((d) => d && { ...d, [field]: value })}
    >
      <Label className="field__label">{label}</Label>
      <Input className="input" type={type} />
    </TextField>
  );
  const box = (field: 'enabled' | 'almostTurnSms', label: string) => (
    <Checkbox
      className="checkbox consent__choice"
      isSelected={draft![field]}
      onChange={(selected) => setDraft((d) => d && { ...d, [field]: selected })}
    >
      <span className="checkbox__box" aria-hidden="true">
        {draft![field] ? '✓' : ''}
      </span>
      <span className="checkbox__label">{label}</span>
    </Checkbox>
  );

  if (draft === null) {
    return (
      <Button className="button button--quiet" onPress={open} isDisabled={site === null}>
        Reminder settings
      </Button>
    );
  }
  return (
    <form
      className="reminder-settings"
      aria-labelledby="reminder-settings-title"
      onSubmit={(event) => {
        event.preventDefault();
        void save(draft);
      }}
    >
      <h3 id="reminder-settings-title">Reminder settings</h3>
      {box('enabled', 'Send appointment reminders')}
      {text('hoursBefore', 'Hours before the appointment (e.g. 48, 2)')}
      <div className="reminder-settings__row">
        {text('quietFrom', 'Quiet hours from', 'time')}
        {text('quietTo', 'until', 'time')}
      </div>
      {box('almostTurnSms', '“Almost your turn” texts to waiting patients')}
      <fieldset className="reminder-settings__address">
        <legend>Clinic address in reminders</legend>
        {text('line1', 'Street and number')}
        {text('line2', 'Address line 2')}
        {text('postalCode', 'Postal code')}
        {text('city', 'Town or city')}
        {text('region', 'State or region')}
        {text('country', 'Country (two letters)')}
      </fieldset>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="reminder-settings__actions">
        <Button type="submit" className="button button--primary">
          Save settings
        </Button>
        <Button className="button" onPress={() => setDraft(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
