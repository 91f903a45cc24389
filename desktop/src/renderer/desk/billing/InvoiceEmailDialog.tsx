import { useState } from 'react';
import { z } from 'zod';
import { FieldError, Input, Label, TextField } from 'react-aria-components';
import { ServerApiError } from '../../shell/server-api.js';
import { FormDialog } from '../shell/FormDialog.js';
import type { Workspace } from '../workspace.js';
import { emailInvoice } from './billing-api.js';

const address = z.email().max(254);

/**
 * Emails a visit's invoice as a PDF: to the address on the patient's record,
 * or to one the patient gives at the desk (an employer, a relative paying).
 * The address typed here is used for this invoice only; the record keeps its own.
 */
export function InvoiceEmailDialog({
  workspace,
  invoiceId,
  onFile,
  onClose,
  onSent,
}: {
  workspace: Workspace;
  invoiceId: string;
  /** The patient's email on record, if any: offered first. */
  onFile: string | null;
  onClose: () => void;
  onSent: (to: string) => void;
}) {
  const [to, setTo] = useState(onFile ?? '');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const valid = address.safeParse(to.trim()).success;

  async function submit() {
    if (!valid) return;
    setSending(true);
    setError(null);
    try {
      onSent(await emailInvoice(workspace, invoiceId, to.trim()));
      onClose();
    } catch (failure) {
      setError(
        failure instanceof ServerApiError
          ? `The invoice was not emailed: ${failure.message}.`
          : 'The invoice was not emailed: the server cannot be reached. Try again once the desk is back online.',
      );
    } finally {
      setSending(false);
    }
  }

  return (
    <FormDialog
      title="Email the invoice"
      intro={
        <>
          The invoice goes as a PDF attachment.{' '}
          {onFile === null
            ? 'There is no email address on the patient’s record: type the one they give you.'
            : 'Change the address to send it elsewhere; the patient’s record keeps its own.'}
        </>
      }
      onSubmit={() => void submit()}
      onCancel={onClose}
      error={error}
      submitLabel={'Send'}
      submitDisabled={sending || !valid}
      cancelLabel="Cancel"
    >
      <TextField
        className="field"
        type="email"
        value={to}
        onChange={setTo}
        isRequired
        autoFocus
        validate={(value) => (address.safeParse(value.trim()).success ? null : 'Type an email address.')}
      >
        <Label>Email address</Label>
        <Input autoComplete="off" />
        <FieldError className="error" />
      </TextField>
    </FormDialog>
  );
}
