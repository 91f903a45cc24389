import {
  balanceOf,
  dueChargeOf,
  formatMoney,
  type Appointment,
  type ChargeEntry,
  type ClaimEntry,
  type InvoiceEntry,
  type LedgerEntry,
  type Patient,
  type PaymentEntry,
} from '@medisync/shared/domain';
import { memo, useState } from 'react';
import type { RxDocument } from 'rxdb';
import { map } from 'rxjs';
import { PaymentQr } from '../../shell/PaymentQr.js';
import { ServerApiError, ServerUnreachableError } from '../../shell/server-api.js';
import { formatTimeOfDay } from '../../shell/time.js';
import { plainDoc } from '../../shell/plain-doc.js';
import { useAnnounce } from '../announcer.js';
import { useSyncStatus } from '../shell/use-sync-state.js';
import { useLiveQuery } from '../use-query.js';
import { failureMessage } from '../visit/visit-actions.js';
import type { Workspace } from '../workspace.js';
import { collectCharge, invoicePdfUrl, type PaymentAnswer } from './billing-api.js';
import { billVisit, draftVisitClaim, markCollectAtDesk, MAX_VISIT_ENTRIES, submitClaim } from './billing-writes.js';
import { InvoiceEmailDialog } from './InvoiceEmailDialog.js';
import { ClaimAnswerDialog } from './ClaimAnswerDialog.js';
import { RefundDialog } from './RefundDialog.js';
import { useBillingSettings } from './use-billing-settings.js';
import './billing.css';

/** The ledger records of one visit, live from the replica: what is due never waits for the network. */
export function useVisitLedger(workspace: Workspace, appointmentId: string): LedgerEntry[] {
  return useLiveQuery<LedgerEntry[]>(
    () => ({
      $: workspace.db.rx.ledger
        .find({ selector: { appointmentId }, limit: MAX_VISIT_ENTRIES })
        .$.pipe(map((docs: RxDocument<LedgerEntry>[]) => docs.map(plainDoc))),
    }),
    [workspace.db, appointmentId],
    [],
  );
}

/**
 * A visit's money in the visit panel (docs/architecture.md §9.7): what is due, paid
 * and refunded, taking the copay (a payment link as a QR code, or the card
 * reader), the invoice as a PDF (printed, saved or emailed to the patient),
 * and an admin's refund. Offline, taking a payment records "collect at desk"
 * on the charge, never a payment; emailing waits for the connection. Redrawn
 * only when the visit or the patient changes, not with the panel around it.
 */
export const VisitBilling = memo(function VisitBilling({
  workspace,
  appointment,
  patient,
}: {
  workspace: Workspace;
  appointment: Appointment;
  patient: Patient | null;
}) {
  const announce = useAnnounce();
  const entries = useVisitLedger(workspace, appointment.id);
  const settings = useBillingSettings(workspace);
  const [busy, setBusy] = useState(false);
  // `done` is already announced (useAnnounce): shown, not read out a second time.
  const [message, setMessage] = useState<{ kind: 'error' | 'note' | 'done'; text: string } | null>(null);
  const [refunding, setRefunding] = useState<PaymentEntry | null>(null);
  const [answering, setAnswering] = useState<ClaimEntry | null>(null);
  const [emailing, setEmailing] = useState(false);
  const timeZone = workspace.session.site.timezone;
  const isAdmin = workspace.session.user.role === 'admin';
  const syncStatus = useSyncStatus(workspace);

  const currency = settings?.currency ?? entries.find((e) => 'currency' in e)?.currency ?? 'usd';
  const money = (cents: number) => formatMoney(cents, currency);
  const charges = entries.filter((e): e is ChargeEntry => e.kind === 'charge' && !e.voided);
  const payments = new Map(
    entries.filter((e): e is PaymentEntry => e.kind === 'payment').map((p) => [p.chargeId, p] as const),
  );
  const invoice = entries.find((e): e is InvoiceEntry => e.kind === 'invoice') ?? null;
  const claim = entries.find((e): e is ClaimEntry => e.kind === 'claim') ?? null;
  const balance = balanceOf(entries);
  const unbilledCopay = charges.length === 0 && (appointment.copayCents ?? 0) > 0 ? appointment.copayCents! : 0;
  const dueCharge = dueChargeOf(entries);
  const dueCents = balance.dueCents + unbilledCopay;
  const pendingLink = dueCharge ? payments.get(dueCharge.id) : undefined;

  async function takePayment() {
    if (!patient) return;
    setBusy(true);
    setMessage(null);
    try {
      if (charges.length === 0) await billVisit(workspace, appointment, patient, currency);
      const charge = dueCharge ?? (await unpaidCharge(workspace, appointment.id));
      if (!charge) return;
      const payment = await collectOnceSynced(workspace, charge);
      announce(
        payment.method === 'terminal'
          ? `Card reader ready for ${money(payment.amountCents)}`
          : `Payment link shown for ${money(payment.amountCents)}`,
      );
    } catch (failure) {
      if (failure instanceof ServerUnreachableError || !navigator.onLine) {
        const charge = dueCharge ?? (await unpaidCharge(workspace, appointment.id));
        if (charge) await markCollectAtDesk(workspace, charge);
        setMessage({
          kind: 'note',
          text: 'No connection to the server: recorded as “collect at desk”. Take the payment once the desk is back online.',
        });
      } else setMessage({ kind: 'error', text: failureMessage(failure, 'Taking the payment') });
    } finally {
      setBusy(false);
    }
  }

  async function collectLater() {
    if (!patient) return;
    setBusy(true);
    try {
      await billVisit(workspace, appointment, patient, currency);
      announce(`${money(dueCents)} recorded as due`);
    } finally {
      setBusy(false);
    }
  }

  /** A local write (works offline), announced when done, its failure shown inline. */
  async function run(write: () => Promise<void>, done: string, doing: string) {
    setBusy(true);
    setMessage(null);
    try {
      await write();
      announce(done);
    } catch (failure) {
      setMessage({ kind: 'error', text: failureMessage(failure, doing) });
    } finally {
      setBusy(false);
    }
  }

  async function openInvoice() {
    if (!invoice) return;
    setMessage(null);
    try {
      const url = await invoicePdfUrl(workspace, invoice.id);
      const link = document.createElement('a');
      link.href = url;
      link.download = `invoice-${invoice.id.slice(0, 8)}.pdf`;
      link.target = '_blank';
      link.rel = 'noopener';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      setMessage({ kind: 'error', text: failureMessage(failure, 'The invoice PDF') });
    }
  }

  /** Why the invoice cannot be emailed now, or null: the desk is told before it tries. */
  const emailBlocked =
    syncStatus === 'offline'
      ? 'Emailing the invoice needs the server, and this desk is offline: try again once it is back online.'
      : settings?.email === false
        ? 'Email is not set up on this server; print the invoice or save the PDF instead.'
        : null;

  if (charges.length === 0 && unbilledCopay === 0 && entries.length === 0) {
    return (
      <section className="billing" aria-labelledby="billing-title">
        <h3 id="billing-title">Billing</h3>
        <p className="empty">Nothing to pay for this visit{patient?.insurance ? '' : ' yet'}.</p>
      </section>
    );
  }

  return (
    <section className="billing" aria-labelledby="billing-title" data-testid="visit-billing">
      <h3 id="billing-title">Billing</h3>
      <dl className="billing__totals">
        <div className={dueCents > 0 ? 'billing__total billing__total--due' : 'billing__total'}>
          <dt>Due</dt>
          <dd data-testid="billing-due">{money(dueCents)}</dd>
        </div>
        <div className="billing__total">
          <dt>Paid</dt>
          <dd data-testid="billing-paid">{money(balance.paidCents)}</dd>
        </div>
        <div className="billing__total">
          <dt>Refunded</dt>
          <dd data-testid="billing-refunded">{money(balance.refundedCents)}</dd>
        </div>
      </dl>

      <ul className="billing__lines">
        {unbilledCopay > 0 && (
          <li className="billing__line">
            <span>Copay</span>
            <span>{money(unbilledCopay)}</span>
            <span className="chip chip--warn">Due</span>
          </li>
        )}
        {charges.map((charge) => {
          const payment = payments.get(charge.id);
          return (
            <li key={charge.id} className="billing__line" data-testid="billing-line">
              <span>{charge.description}</span>
              <span>{money(charge.amountCents)}</span>
              <ChargeState charge={charge} payment={payment} money={money} timeZone={timeZone} />
              {payment && isAdmin && payment.amountCents > payment.refundedCents && payment.status !== 'pending' && (
                <button type="button" className="button button--quiet" onClick={() => setRefunding(payment)}>
                  Refund…
                </button>
              )}
            </li>
          );
        })}
      </ul>

      {pendingLink?.status === 'pending' && pendingLink.stripe.url && (
        <figure className="billing__qr" data-testid="payment-link">
          <PaymentQr url={pendingLink.stripe.url} label={`Payment link for ${money(pendingLink.amountCents)}`} />
          <figcaption>
            Ask the patient to scan this with their phone camera to pay {money(pendingLink.amountCents)}. It turns to
            “Paid” here as soon as Stripe confirms.
          </figcaption>
        </figure>
      )}
      {pendingLink?.status === 'pending' && pendingLink.method === 'terminal' && (
        <p className="billing__note" role="status">
          The card reader is waiting for {money(pendingLink.amountCents)}: ask the patient to tap or insert their card.
        </p>
      )}

      {invoice?.insurance && (
        <ClaimLine
          claim={claim}
          payer={invoice.insurance.payer}
          money={money}
          busy={busy}
          onDraft={() =>
            void run(() => draftVisitClaim(workspace, invoice, appointment.providerId), 'Claim drafted', 'The claim')
          }
          onSubmit={(c) => void run(() => submitClaim(workspace, c), 'Claim submitted', 'The submitted claim')}
          onAnswer={isAdmin ? setAnswering : null}
        />
      )}

      {message && (
        <p
          className={message.kind === 'error' ? 'inline-error' : 'billing__note'}
          role={message.kind === 'error' ? 'alert' : message.kind === 'note' ? 'status' : undefined}
        >
          {message.text}
        </p>
      )}

      <div className="billing__actions">
        {dueCents > 0 && pendingLink?.status !== 'pending' && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => void takePayment()}
            disabled={busy || !patient || settings?.payments === false}
          >
            Take payment {money(dueCents)}
          </button>
        )}
        {unbilledCopay > 0 && (
          <button type="button" className="button" onClick={() => void collectLater()} disabled={busy || !patient}>
            Collect later
          </button>
        )}
        {invoice && (
          <button type="button" className="button" onClick={() => void openInvoice()}>
            Invoice PDF
          </button>
        )}
        {invoice && (
          <button
            type="button"
            className="button"
            onClick={() => setEmailing(true)}
            disabled={busy || !patient || emailBlocked !== null}
            aria-describedby={emailBlocked ? 'billing-email-blocked' : undefined}
          >
            Email invoice…
          </button>
        )}
      </div>
      {invoice && emailBlocked && (
        <p className="billing__note" id="billing-email-blocked" data-testid="email-blocked">
          {emailBlocked}
        </p>
      )}
      {settings?.payments === false && (
        <p className="billing__note">Card payments are not set up on this server; collect the amount another way.</p>
      )}
      {emailing && invoice && patient && (
        <InvoiceEmailDialog
          workspace={workspace}
          invoiceId={invoice.id}
          onFile={patient.email ?? null}
          onClose={() => setEmailing(false)}
          onSent={(to) => {
            announce(`Invoice emailed to ${to}`);
            setMessage({ kind: 'done', text: `Invoice emailed to ${to}.` });
          }}
        />
      )}
      {answering && (
        <ClaimAnswerDialog
          workspace={workspace}
          claim={answering}
          money={money}
          onClose={() => setAnswering(null)}
          onRecorded={(answer) => {
            const text = `Insurer's answer recorded: ${CLAIM_STATUS[answer.outcome].toLowerCase()}`;
            announce(text);
            setMessage({ kind: 'done', text: `${text}.` });
          }}
        />
      )}
      {refunding && (
        <RefundDialog
          workspace={workspace}
          payment={refunding}
          money={money}
          onClose={() => setRefunding(null)}
          onRefunded={(cents) => announce(`Refunded ${money(cents)}`)}
        />
      )}
    </section>
  );
});

const CLAIM_STATUS: Record<ClaimEntry['status'], string> = {
  draft: 'Draft, not sent',
  submitted: 'Submitted, waiting for the insurer',
  accepted: 'Accepted by the insurer',
  denied: 'Denied by the insurer',
  paid: 'Paid by the insurer',
};

/**
 * The visit's insurance claim: its state and the insurer's answer. A desk
 * drafts and submits it; an admin (`onAnswer`) records the insurer's answer.
 */
function ClaimLine({
  claim,
  payer,
  money,
  busy,
  onDraft,
  onSubmit,
  onAnswer,
}: {
  claim: ClaimEntry | null;
  payer: string;
  money: (cents: number) => string;
  busy: boolean;
  onDraft: () => void;
  onSubmit: (claim: ClaimEntry) => void;
  onAnswer: ((claim: ClaimEntry) => void) | null;
}) {
  const answer =
    claim === null
      ? ''
      : claim.status === 'denied'
        ? (claim.denialReason ?? '')
        : claim.payerPaidCents !== null
          ? `${money(claim.payerPaidCents)} paid`
          : claim.approvedCents !== null
            ? `${money(claim.approvedCents)} approved`
            : '';
  return (
    <div className="billing__claim" data-testid="billing-claim">
      <span>
        Insurance claim to {payer}
        {claim && ` for ${money(claim.billedCents)}`}
      </span>
      <span className={claim?.status === 'denied' ? 'chip chip--alert' : 'chip'}>
        {claim ? CLAIM_STATUS[claim.status] : 'Not drafted'}
        {answer && ` · ${answer}`}
      </span>
      {claim === null && (
        <button type="button" className="button" onClick={onDraft} disabled={busy}>
          Draft claim
        </button>
      )}
      {claim?.status === 'draft' && (
        <button type="button" className="button" onClick={() => onSubmit(claim)} disabled={busy}>
          Submit claim
        </button>
      )}
      {onAnswer && (claim?.status === 'submitted' || claim?.status === 'accepted') && (
        <button type="button" className="button" onClick={() => onAnswer(claim)} disabled={busy}>
          Record insurer’s answer…
        </button>
      )}
    </div>
  );
}

/** How long a desk waits for its just-billed charge to reach the server before it says so. */
const PUSH_WAIT_MS = 10_000;

/**
 * Collects a charge through the server. A charge billed a moment ago may not
 * have reached the server yet (404): wait for this desk's sync, then ask once
 * more. Offline, the first request fails at once (ServerUnreachableError).
 */
async function collectOnceSynced(workspace: Workspace, charge: ChargeEntry): Promise<PaymentAnswer> {
  try {
    return await collectCharge(workspace, charge.id);
  } catch (failure) {
    if (!(failure instanceof ServerApiError && failure.status === 404)) throw failure;
    await Promise.race([workspace.sync.awaitInSync(), new Promise((resolve) => setTimeout(resolve, PUSH_WAIT_MS))]);
    return collectCharge(workspace, charge.id);
  }
}

/** A charge of the visit not paid yet, read from the replica (just billed: not in the live list yet). */
async function unpaidCharge(workspace: Workspace, appointmentId: string): Promise<ChargeEntry | undefined> {
  const docs = await workspace.db.rx.ledger.find({ selector: { appointmentId }, limit: MAX_VISIT_ENTRIES }).exec();
  return dueChargeOf(docs.map((d) => d.toJSON() as LedgerEntry));
}

function ChargeState({
  charge,
  payment,
  money,
  timeZone,
}: {
  charge: ChargeEntry;
  payment: PaymentEntry | undefined;
  money: (cents: number) => string;
  timeZone: string;
}) {
  if (payment?.status === 'refunded') return <span className="chip">Refunded</span>;
  if (payment?.status === 'partially-refunded') {
    return <span className="chip chip--ok">Paid · {money(payment.refundedCents)} refunded</span>;
  }
  if (payment?.status === 'succeeded') return <span className="chip chip--ok">Paid</span>;
  if (payment?.status === 'pending') return <span className="chip chip--warn">Waiting for payment</span>;
  if (payment?.status === 'failed') return <span className="chip chip--alert">Card declined: due</span>;
  if (charge.collectAtDesk !== null) {
    return (
      <span className="chip chip--warn">
        Collect at desk (tried offline {formatTimeOfDay(charge.collectAtDesk, timeZone)})
      </span>
    );
  }
  return <span className="chip chip--warn">Due</span>;
}
