import { useState, type FormEvent } from 'react';
import {
  Button,
  Dialog,
  FieldError,
  Form,
  Heading,
  Input,
  Label,
  Modal,
  ModalOverlay,
  TextField,
} from 'react-aria-components';

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

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim().length === 0) return;
    setSaving(true);
    const failure = await onCancel(reason);
    setSaving(false);
    if (failure === null) {
      setReason('');
      onClose();
    } else setError(failure);
  }

  return (
    <ModalOverlay isOpen={isOpen} onOpenChange={(open) => !open && onClose()} isDismissable className="overlay">
      <Modal className="overlay__modal">
        <Dialog className="book__dialog">
          <Heading slot="title">Cancel appointment</Heading>
          <p>{what}</p>
          <Form onSubmit={submit} validationBehavior="aria">
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
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <div className="book__dialog-actions">
              <Button type="submit" className="button button--danger" isDisabled={saving || reason.trim().length === 0}>
                Cancel appointment
              </Button>
              <Button className="button" onPress={onClose}>
                Keep appointment
              </Button>
            </div>
          </Form>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
