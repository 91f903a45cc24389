import { formatMoney, parseMoney, type FeeEntry, type LedgerEntry } from '@medisync/shared/domain';
import { useEffect, useId, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { RxDocument } from 'rxdb';
import { useAnnounce } from '../announcer.js';
import { knownCurrency } from '../billing/billing-api.js';
import { visitTypeLabel, visitTypeLabels } from '../labels.js';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';
import { addFee, changeFee, type FeeChange } from './fee-writes.js';
import { KioskPaymentsSetting } from './KioskPaymentsSetting.js';
import './fees.css';

/** How many fee lines a site may have: far more visit types than any clinic uses. */
const MAX_FEES = 200;
/** The generic code other systems send when they have no visit type: nothing to put a price on. */
const UNPRICED = new Set(['appointment']);

const typedAmount = (cents: number) => (cents / 100).toFixed(2);
const AMOUNT_HINT = 'Type an amount such as 95.00.';

/**
 * The site's fee schedule, for admins: what each visit type costs a patient
 * without insurance. Every desk bills self-pay visits from it (offline too),
 * so a change applies to visits billed after it reaches them; visits billed
 * before keep their amount.
 */
export function FeesScreen({ workspace }: { workspace: Workspace }) {
  const { db, session } = workspace;
  const feeDocs = useLiveQuery(
    () => db.rx.ledger.find({ selector: { kind: 'fee', siteId: session.site.id }, limit: MAX_FEES }),
    [db, session.site.id],
    [] as RxDocument<LedgerEntry>[],
  );
  const fees = useMemo(
    () =>
      feeDocs
        .map((doc) => doc.toJSON() as FeeEntry)
        .sort((a, b) => visitTypeLabel(a.visitType).localeCompare(visitTypeLabel(b.visitType))),
    [feeDocs],
  );
  const unpriced = Object.keys(visitTypeLabels).filter(
    (code) => !UNPRICED.has(code) && !fees.some((fee) => fee.visitType === code),
  );
  return (
    <section className="fees" aria-labelledby="fees-title">
      <h1 id="fees-title">Fee schedule</h1>
      <p className="fees__intro">
        What a visit costs a patient without insurance. Insured patients pay the copay on their appointment instead. A
        change applies to visits billed from now on; visits already billed keep their amount.
      </p>
      {fees.length === 0 ? (
        <p className="empty">No fees yet: self-paying patients are not charged until you add one.</p>
      ) : (
        <table className="fees__table">
          <thead>
            <tr>
              <th scope="col">Visit type</th>
              <th scope="col">On the invoice</th>
              <th scope="col">Amount</th>
              <th scope="col">Charged</th>
              <th scope="col">
                <span className="visually-hidden">Save</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fees.map((fee) => (
              <FeeRow key={fee.id} fee={fee} workspace={workspace} />
            ))}
          </tbody>
        </table>
      )}
      {unpriced.length > 0 && <AddFeeForm visitTypes={unpriced} workspace={workspace} />}
      <KioskPaymentsSetting workspace={workspace} />
    </section>
  );
}

function FeeRow({ fee, workspace }: { fee: FeeEntry; workspace: Workspace }) {
  const id = useId();
  const announce = useAnnounce();
  const label = visitTypeLabel(fee.visitType);
  const [description, setDescription] = useState(fee.description);
  const [amount, setAmount] = useState(typedAmount(fee.amountCents));
  const [active, setActive] = useState(fee.active);
  const [error, setError] = useState<string | null>(null);
  // A change saved on another desk shows here instead of what this row was last given.
  useEffect(() => {
    setDescription(fee.description);
    setAmount(typedAmount(fee.amountCents));
    setActive(fee.active);
  }, [fee.description, fee.amountCents, fee.active]);
  const cents = parseMoney(amount);
  const change: FeeChange = {
    ...(description.trim() !== fee.description ? { description: description.trim() } : {}),
    ...(cents !== null && cents !== fee.amountCents ? { amountCents: cents } : {}),
    ...(active !== fee.active ? { active } : {}),
  };
  const valid = cents !== null && description.trim().length > 0;
  const changed = Object.keys(change).length > 0;

  async function save() {
    if (!valid || !changed) return;
    try {
      const saved = await changeFee(workspace, fee.id, change);
      setError(null);
      announce(
        `${label}: ${formatMoney(saved.amountCents, saved.currency)}${saved.active ? '' : ', not charged'}, saved.`,
      );
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }
  const saveOnEnter = (event: KeyboardEvent) => {
    if (event.key === 'Enter') void save();
  };

  return (
    <tr data-testid="fee" data-visit-type={fee.visitType} className={fee.active ? undefined : 'fees__inactive'}>
      <th scope="row">{label}</th>
      <td>
        <input
          className="input"
          value={description}
          maxLength={200}
          aria-label={`${label}: description on the invoice`}
          aria-invalid={description.trim().length === 0}
          onChange={(e) => setDescription(e.target.value)}
          onKeyDown={saveOnEnter}
        />
      </td>
      <td>
        <span className="fees__amount">
          <span aria-hidden="true">{fee.currency.toUpperCase()}</span>
          <input
            className="input"
            value={amount}
            inputMode="decimal"
            size={9}
            aria-label={`${label}: amount in ${fee.currency.toUpperCase()}`}
            aria-invalid={cents === null}
            aria-describedby={cents === null ? `${id}-hint` : undefined}
            onChange={(e) => setAmount(e.target.value)}
            onKeyDown={saveOnEnter}
          />
        </span>
        {cents === null && (
          <span id={`${id}-hint`} className="fees__hint">
            {AMOUNT_HINT}
          </span>
        )}
      </td>
      <td>
        <label className="fees__charged">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          <span className="visually-hidden">{label}: </span>Charged
        </label>
      </td>
      <td>
        <button
          type="button"
          className="button"
          disabled={!valid || !changed}
          aria-label={`Save the ${label} fee`}
          onClick={() => void save()}
        >
          Save
        </button>
        {error && (
          <p role="alert" className="fees__error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

function AddFeeForm({ visitTypes, workspace }: { visitTypes: readonly string[]; workspace: Workspace }) {
  const id = useId();
  const announce = useAnnounce();
  const [visitType, setVisitType] = useState(visitTypes[0]!);
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);
  // The chosen type may just have been priced on another desk.
  const chosen = visitTypes.includes(visitType) ? visitType : visitTypes[0]!;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const cents = parseMoney(amount);
    if (cents === null) {
      setError(AMOUNT_HINT);
      return;
    }
    try {
      const fee = await addFee(workspace, {
        visitType: chosen,
        description: description.trim() || visitTypeLabel(chosen),
        amountCents: cents,
        currency: knownCurrency(),
      });
      setError(null);
      setDescription('');
      setAmount('');
      announce(`${visitTypeLabel(chosen)}: ${formatMoney(fee.amountCents, fee.currency)} added.`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <form className="fees__add" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a fee</h2>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-type`}>
          Visit type
        </label>
        <select id={`${id}-type`} className="input" value={chosen} onChange={(e) => setVisitType(e.target.value)}>
          {visitTypes.map((code) => (
            <option key={code} value={code}>
              {visitTypeLabel(code)}
            </option>
          ))}
        </select>
      </div>
      <div className="field fees__add-description">
        <label className="field__label" htmlFor={`${id}-description`}>
          On the invoice
        </label>
        <input
          id={`${id}-description`}
          className="input"
          value={description}
          maxLength={200}
          placeholder={visitTypeLabel(chosen)}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-amount`}>
          Amount ({knownCurrency().toUpperCase()})
        </label>
        <input
          id={`${id}-amount`}
          className="input"
          value={amount}
          inputMode="decimal"
          size={9}
          required
          aria-invalid={error === AMOUNT_HINT}
          onChange={(e) => setAmount(e.target.value)}
        />
      </div>
      <button type="submit" className="button button--primary">
        Add fee
      </button>
      {error && (
        <p role="alert" className="fees__error">
          {error}
        </p>
      )}
    </form>
  );
}
