import { formatMoney } from '@medisync/shared/domain';
import { PaymentQr } from '@medisync/desktop/shell/browser';
import { useEffect, useState } from 'react';
import type { Catalogue } from '../i18n/index.js';
import type { CopayOffer, KioskPayments } from './check-in-service.js';
import './copay.css';

/** How often the screen looks whether Stripe has confirmed the payment. */
const PAID_CHECK_MS = 2_000;

type State =
  | { kind: 'none' }
  | { kind: 'offer'; offer: CopayOffer }
  | { kind: 'link'; offer: CopayOffer; url: string }
  | { kind: 'paid'; offer: CopayOffer }
  /** At the desk: chosen by the patient, or because paying here failed. */
  | { kind: 'at-desk'; offer: CopayOffer; failed: boolean };

const isPaid = (status: string | undefined) =>
  status === 'succeeded' || status === 'partially-refunded' || status === 'refunded';

/**
 * After check-in, where the clinic allows it: the copay due, and paying it
 * with the patient's own phone through Stripe's page shown as a QR code
 * (docs/architecture.md §9.7). Without the server nothing is offered here; the
 * desk shows what is due from its own replica and collects it.
 */
export function CopayPayment({
  payments,
  appointmentId,
  t,
  language,
}: {
  payments: KioskPayments;
  appointmentId: string;
  t: Catalogue;
  language: string;
}) {
  const [state, setState] = useState<State>({ kind: 'none' });
  const money = (offer: CopayOffer) => formatMoney(offer.dueCents, offer.currency, language);

  useEffect(() => {
    let live = true;
    void payments.copay(appointmentId).then((offer) => {
      if (!live || offer === null) return;
      if (isPaid(offer.payment?.status)) setState({ kind: 'paid', offer });
      else if (offer.dueCents > 0) setState({ kind: 'offer', offer });
    });
    return () => {
      live = false;
    };
  }, [payments, appointmentId]);

  // While the code is on screen, look whether it has been paid.
  useEffect(() => {
    if (state.kind !== 'link') return undefined;
    const timer = setInterval(() => {
      void payments.copay(appointmentId).then((offer) => {
        if (offer && isPaid(offer.payment?.status)) setState({ kind: 'paid', offer: state.offer });
      });
    }, PAID_CHECK_MS);
    return () => clearInterval(timer);
  }, [payments, appointmentId, state]);

  async function payNow(offer: CopayOffer) {
    try {
      const payment = await payments.pay(appointmentId);
      if (isPaid(payment.status)) setState({ kind: 'paid', offer });
      else if (payment.url) setState({ kind: 'link', offer, url: payment.url });
      else setState({ kind: 'at-desk', offer, failed: true });
    } catch {
      setState({ kind: 'at-desk', offer, failed: true });
    }
  }

  if (state.kind === 'none') return null;
  return (
    <section className="kiosk__copay" aria-live="polite" data-testid="kiosk-copay">
      {state.kind === 'offer' && (
        <>
          <p className="kiosk__lead">{t.copayDue(money(state.offer))}</p>
          <div className="kiosk__actions">
            <button type="button" className="touch touch--primary" onClick={() => void payNow(state.offer)}>
              {t.payNow}
            </button>
            <button
              type="button"
              className="touch"
              onClick={() => setState({ kind: 'at-desk', offer: state.offer, failed: false })}
            >
              {t.payAtDesk}
            </button>
          </div>
        </>
      )}
      {state.kind === 'link' && (
        <div className="kiosk__pay-link">
          <PaymentQr url={state.url} label={t.payScan(money(state.offer))} size={280} />
          <p className="kiosk__lead">{t.payScan(money(state.offer))}</p>
        </div>
      )}
      {state.kind === 'paid' && (
        <p className="kiosk__lead kiosk__paid" role="status">
          {t.payDone(money(state.offer))}
        </p>
      )}
      {state.kind === 'at-desk' && (
        <p className="kiosk__lead">{state.failed ? t.payUnavailable : t.copayDue(money(state.offer))}</p>
      )}
    </section>
  );
}
