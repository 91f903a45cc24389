import { parseMoney, type ClaimAnswer, type ClaimEntry } from '@medisync/shared/domain';
import { useState } from 'react';
import { FieldError, Input, Label, Radio, RadioGroup, TextField } from 'react-aria-components';
import { FormDialog } from '../shell/FormDialog.js';
import { failureMessage } from '../visit/visit-actions.js';
import type { Workspace } from '../workspace.js';
import { recordClaimAnswer } from './billing-writes.js';

type Outcome = ClaimAnswer['outcome'];

/**
 * An admin records what the insurer answered to a claim, as the remittance
 * advice says it: accepted for an amount, denied with the payer's reason, or
 * paid. A claim still waiting may be paid outright; an accepted one can only
 * be paid.
 */
export function ClaimAnswerDialog({
  workspace,
  claim,
  money,
  onClose,
  onRecorded,
}: {
  workspace: Workspace;
  claim: ClaimEntry;
  money: (cents: number) => string;
  onClose: () => void;
  onRecorded: (answer: ClaimAnswer) => void;
}) {
  const waiting = claim.status === 'submitted';
  const [outcome, setOutcome] = useState<Outcome>(waiting ? 'accepted' : 'paid');
  const [approved, setApproved] = useState(((claim.approvedCents ?? claim.billedCents) / 100).toFixed(2));
  const [paid, setPaid] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const approvedCents = parseMoney(approved);
  const paidCents = parseMoney(paid);
  const ceiling = outcome === 'paid' && waiting ? approvedCents : claim.approvedCents;
  const answer: ClaimAnswer | null =
    outcome === 'accepted'
      ? approvedCents !== null && approvedCents <= claim.billedCents
        ? { outcome, approvedCents }
        : null
      : outcome === 'denied'
        ? reason.trim().length > 0
          ? { outcome, reason: reason.trim() }
          : null
        : paidCents !== null && paidCents > 0 && (ceiling === null || paidCents <= ceiling)
          ? { outcome, payerPaidCents: paidCents, ...(waiting && approvedCents !== null ? { approvedCents } : {}) }
          : null;

  async function submit() {
    if (answer === null) return;
    setSaving(true);
    setError(null);
    try {
      await recordClaimAnswer(workspace, claim, answer);
      onRecorded(answer);
      onClose();
    } catch (failure) {
      setError(failureMessage(failure, "The insurer's answer"));
    } finally {
      setSaving(false);
    }
  }

  const amountField = (
    label: string,
    value: string,
    onChange: (value: string) => void,
    most: number | null,
    autoFocus = false,
  ) => (
    <TextField
      className="field"
      value={value}
      onChange={onChange}
      isRequired
      autoFocus={autoFocus}
      validate={(typed) => {
        const cents = parseMoney(typed);
        if (cents === null) return 'Type an amount such as 95.00.';
        return most !== null && cents > most ? `At most ${money(most)}.` : null;
      }}
    >
      <Label>{label}</Label>
      <Input inputMode="decimal" />
      <FieldError className="error" />
    </TextField>
  );

  return (
    <FormDialog
      title="Insurer’s answer"
      intro={
        <>
          Claim to {claim.insurance.payer} for {money(claim.billedCents)}
          {claim.approvedCents !== null ? `, accepted for ${money(claim.approvedCents)}` : ''}. Record what their
          remittance advice says.
        </>
      }
      onSubmit={() => void submit()}
      onCancel={onClose}
      error={error}
      submitLabel={'Record answer'}
      submitDisabled={saving || answer === null}
      cancelLabel="Cancel"
    >
      {waiting && (
        <RadioGroup
          className="billing__choices"
          value={outcome}
          onChange={(value) => setOutcome(value as Outcome)}
          orientation="horizontal"
        >
          <Label>The insurer</Label>
          <Radio value="accepted" className="radio-choice">
            Accepted the claim
          </Radio>
          <Radio value="denied" className="radio-choice">
            Denied it
          </Radio>
          <Radio value="paid" className="radio-choice">
            Paid it
          </Radio>
        </RadioGroup>
      )}
      {outcome === 'accepted' && amountField('Amount approved', approved, setApproved, claim.billedCents)}
      {outcome === 'denied' && (
        <TextField
          className="field"
          value={reason}
          onChange={setReason}
          isRequired
          validate={(value) => (value.trim().length === 0 ? 'Say why the insurer denied it.' : null)}
        >
          <Label>The insurer’s reason</Label>
          <Input placeholder="e.g. member not eligible on the date of service" maxLength={500} />
          <FieldError className="error" />
        </TextField>
      )}
      {outcome === 'paid' && (
        <>
          {waiting && amountField('Amount approved', approved, setApproved, claim.billedCents)}
          {amountField('Amount the insurer paid', paid, setPaid, ceiling, !waiting)}
        </>
      )}
    </FormDialog>
  );
}
