import { useState } from 'react';
import { FieldError, Input, Label, TextField } from 'react-aria-components';
import { FormDialog } from '../shell/FormDialog.js';

/**
 * Asks why an appointment is cancelled before cancelling it: the reason is
 * required and kept on the appointment.
 */
export function CancelDialog({
  what,
  isOpen,
  onClose,
  onCancel,
}: {
  /** "Garcia, Maria · Follow-up, Monday 30 November 09:00 with Dr Park". */
  what: string;
  isOpen: boolean;
  onClose: () => void;
  onCancel: (reason: string) => Promise<string | null>;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit() {
    if (reason.trim().length === 0) return;
    setSaving(true);
    const failure = await onCancel(reason);
    setSaving(false);
    if (failure === null) {
      setReason('');
      onClose();
    } else setError(failure);
  }

  if (!isOpen) return null;
  return (
    <FormDialog
      title="Cancel appointment"
      intro={what}
      onSubmit={() => void submit()}
      onCancel={onClose}
      error={error}
      submitLabel="Cancel appointment"
      submitDisabled={saving || reason.trim().length === 0}
      danger
      cancelLabel="Keep appointment"
    >
      <TextField
        className="field"
        value={reason}
        onChange={(value) => {
          setReason(value);
          setError(null);
        }}
        isRequired
        validate={(value) => (value.trim().length === 0 ? 'Say why it is cancelled.' : null)}
        autoFocus
      >
        <Label>Reason for cancelling</Label>
        <Input placeholder="e.g. patient unwell, rang to cancel" />
        <FieldError className="error" />
      </TextField>
    </FormDialog>
  );
}
