import Stripe from 'stripe';

/**
 * The one place MediSync talks to Stripe (docs/architecture.md §9.4, §9.7), through
 * the official SDK, from the server only. What crosses to Stripe is an amount,
 * a currency, a line's description ("Copay") and MediSync's ids in metadata:
 * never a name, a diagnosis or a visit type. Card data stays with Stripe (its
 * hosted payment page, its Terminal reader) and never reaches MediSync.
 */

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Where the Stripe API is reached; a local stand-in in tests (`http://127.0.0.1:port`). Default Stripe's own. */
  apiUrl: string | undefined;
  /** A Stripe Terminal reader (`tmr_…`) at the desk; without one, the desk and kiosk show a payment link. */
  terminalReaderId: string | undefined;
}

/** The ids MediSync puts in Stripe metadata: nothing else. */
export interface CollectionIds {
  chargeId: string;
  paymentId: string;
  siteId: string;
}

export interface StartedCollection {
  paymentIntentId: string | null;
  checkoutSessionId: string | null;
  url: string | null;
  readerId: string | null;
}

export interface RefundResult {
  stripeRefundId: string;
  status: string;
}

export type StripeEvent = Stripe.Event;

export class StripeGateway {
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    const api = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
    this.stripe = new Stripe(settings.secretKey, {
      // Network retries resend the same idempotency key, so they never charge twice.
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(api
        ? {
            host: api.hostname,
            port: api.port || (api.protocol === 'https:' ? 443 : 80),
            protocol: api.protocol === 'http:' ? 'http' : 'https',
          }
        : {}),
    });
  }

  get hasTerminal(): boolean {
    return this.settings.terminalReaderId !== undefined;
  }

  /**
   * Starts collecting one charge. The idempotency keys derive from the charge's
   * id, so a retried request (a network retry, a second desk, a double click)
   * gets back the PaymentIntent or checkout page the first one made.
   */
  async startCollection(
    ids: CollectionIds,
    amount: { cents: number; currency: string; description: string },
    options: {
      receiptEmail: string | null;
      returnUrl: string | null;
      /** The Stripe object of the collection this one replaces (expired, or for another amount), if any. */
      startedBefore?: string | null;
    },
  ): Promise<StartedCollection> {
    const metadata = { ...ids };
    const key = (step: string) =>
      `medisync-charge-${ids.chargeId}-${step}${options.startedBefore ? `-after-${options.startedBefore}` : ''}`;
    if (this.settings.terminalReaderId !== undefined) {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: amount.cents,
          currency: amount.currency,
          allowed_payment_method_types: ['card_present'],
          capture_method: 'automatic',
          description: amount.description,
          metadata,
          ...(options.receiptEmail ? { receipt_email: options.receiptEmail } : {}),
        },
        { idempotencyKey: key('intent') },
      );
      const readerId = this.settings.terminalReaderId;
      await this.stripe.terminal.readers.processPaymentIntent(
        readerId,
        { payment_intent: intent.id },
        { idempotencyKey: key('reader') },
      );
      return { paymentIntentId: intent.id, checkoutSessionId: null, url: null, readerId };
    }
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: amount.currency,
              unit_amount: amount.cents,
              product_data: { name: amount.description },
            },
          },
        ],
        client_reference_id: ids.paymentId,
        metadata,
        payment_intent_data: {
          metadata,
          ...(options.receiptEmail ? { receipt_email: options.receiptEmail } : {}),
        },
        ...(options.returnUrl ? { success_url: options.returnUrl } : {}),
      },
      { idempotencyKey: key('checkout') },
    );
    const paymentIntentId = typeof session.payment_intent === 'string' ? session.payment_intent : null;
    return { paymentIntentId, checkoutSessionId: session.id, url: session.url, readerId: null };
  }

  /**
   * Sends a PaymentIntent to the reader again after a declined card; `attempt`
   * numbers the retry, so two desks retrying one decline send it once.
   */
  async retryOnReader(ids: CollectionIds, paymentIntentId: string, readerId: string, attempt: number): Promise<void> {
    await this.stripe.terminal.readers.processPaymentIntent(
      readerId,
      { payment_intent: paymentIntentId },
      { idempotencyKey: `medisync-charge-${ids.chargeId}-reader-retry-${attempt}` },
    );
  }

  /** Ends a collection not paid yet, so its page or the reader can no longer take the money. */
  async endCollection(started: Pick<StartedCollection, 'checkoutSessionId' | 'paymentIntentId'>): Promise<void> {
    if (started.checkoutSessionId !== null) {
      const session = await this.stripe.checkout.sessions.retrieve(started.checkoutSessionId);
      if (session.status === 'open') await this.stripe.checkout.sessions.expire(started.checkoutSessionId);
    } else if (started.paymentIntentId !== null) {
      const intent = await this.stripe.paymentIntents.retrieve(started.paymentIntentId);
      if (intent.status !== 'canceled' && intent.status !== 'succeeded') {
        await this.stripe.paymentIntents.cancel(started.paymentIntentId);
      }
    }
  }

  /** Refunds part or all of a payment; `refundId` is MediSync's, so a retried refund refunds once. */
  async refund(
    paymentIntentId: string,
    refundId: string,
    cents: number,
    ids: { paymentId: string; siteId: string },
  ): Promise<RefundResult> {
    const refund = await this.stripe.refunds.create(
      {
        payment_intent: paymentIntentId,
        amount: cents,
        reason: 'requested_by_customer',
        metadata: { ...ids, refundId },
      },
      { idempotencyKey: `medisync-refund-${refundId}` },
    );
    return { stripeRefundId: refund.id, status: refund.status ?? 'pending' };
  }

  /** A webhook's event, after checking its signature over the raw body and its age (at most five minutes). */
  verifyEvent(rawBody: Buffer, signature: string): StripeEvent {
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret);
  }
}

export const isSignatureError = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeSignatureVerificationError;
export const isStripeError = (error: unknown): error is Stripe.errors.StripeError =>
  error instanceof Stripe.errors.StripeError;
