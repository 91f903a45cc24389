import { newId, parseMoney, type PaymentEntry } from '@medisync/shared/domain';
import { useState } from 'react';
import { FieldError, Input, Label, TextField } from 'react-aria-components';
import { FormDialog } from '../shell/FormDialog.js';
import { failureMessage } from '../visit/visit-actions.js';
import type { Workspace } from '../workspace.js';
import { refundPayment } from './billing-api.js';

/**
 * An admin's refund of part or all of a payment, with the reason kept on the
 * payment. The refund's id is made once when the dialog opens, so pressing
 * Refund twice (or a retry after a timeout) refunds once.
 */
export function RefundDialog({
  workspace,
  payment,
  money,
  onClose,
  onRefunded,
}: {
  workspace: Workspace;
  payment: PaymentEntry;
  money: (cents: number) => string;
  onClose: () => void;
  onRefunded: (cents: number) => void;
}) {
  const refundable = payment.amountCents - payment.refundedCents;
  const [refundId] = useState(newId);
  const [amount, setAmount] = useState((refundable / 100).toFixed(2));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const cents = parseMoney(amount);
  const valid = cents !== null && cents > 0 && cents <= refundable && reason.trim().length > 0;

  async function submit() {
    if (!valid || cents === null) return;
    setSaving(true);
    setError(null);
    try {
      await refundPayment(workspace, payment.id, { refundId, amountCents: cents, reason: reason.trim() });
      onRefunded(cents);
      onClose();
    } catch (failure) {
      setError(failureMessage(failure, 'The refund'));
    } finally {
      setSaving(false);
    }
  }

  return (
    <FormDialog
      title="Refund payment"
      intro={
        <>
          Paid {money(payment.amountCents)}
          {payment.refundedCents > 0 ? `, ${money(payment.refundedCents)} already refunded` : ''}. The money goes back
          to the card it came from.
        </>
      }
      onSubmit={() => void submit()}
      onCancel={onClose}
      error={error}
      submitLabel={<>Refund {cents !== null && cents > 0 && cents <= refundable ? money(cents) : ''}</>}
      submitDisabled={saving || !valid}
      danger
      cancelLabel="Keep the payment"
    >
      <TextField
        className="field"
        value={amount}
        onChange={setAmount}
        isRequired
        validate={(value) => {
          const parsed = parseMoney(value);
          if (parsed === null || parsed <= 0) return 'Type an amount such as 10.00.';
          return parsed > refundable ? `At most ${money(refundable)} can be refunded.` : null;
        }}
      >
        <Label>Amount to refund (at most {money(refundable)})</Label>
        <Input inputMode="decimal" />
        <FieldError className="error" />
      </TextField>
      <TextField
        className="field"
        value={reason}
        onChange={setReason}
        isRequired
        autoFocus
        validate={(value) => (value.trim().length === 0 ? 'Say why the money is refunded.' : null)}
      >
        <Label>Reason for the refund</Label>
        <Input placeholder="e.g. copay charged twice, insurance covered the visit" maxLength={500} />
        <FieldError className="error" />
      </TextField>
    </FormDialog>
  );
}
