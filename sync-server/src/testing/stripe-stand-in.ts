import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { BillingConfig } from '#billing/config';

/**
 * A local server that speaks the parts of Stripe's HTTP API MediSync uses
 * (docs/architecture.md §9.4): PaymentIntents, Checkout Sessions (the payment link),
 * Terminal's process_payment_intent, Refunds, with Stripe's idempotency keys
 * and its error shape. The real `stripe` SDK is pointed at it
 * (`STRIPE_API_URL`). It also plays the patient and Stripe's webhook sender:
 * `pay()` (or the Pay button of its hosted page) completes a payment and posts
 * the events Stripe would, signed with the SDK's own test-header helper.
 *
 * On 127.0.0.1, port 0; `close()` stops it.
 */

export interface StandInPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'processing' | 'succeeded' | 'canceled';
  canceled_at: number | null;
  metadata: Record<string, string>;
  description: string | null;
  receipt_email: string | null;
  payment_method_types: string[];
  latest_charge: string | null;
}

export interface StandInCheckoutSession {
  id: string;
  object: 'checkout.session';
  url: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  payment_intent: string;
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  client_reference_id: string | null;
  line_items: unknown;
}

export interface StandInRefund {
  id: string;
  object: 'refund';
  amount: number;
  payment_intent: string;
  status: 'succeeded';
  reason: string | null;
  metadata: Record<string, string>;
}

export interface StripeStandIn {
  /** Base URL for `STRIPE_API_URL`. */
  url: string;
  secretKey: string;
  webhookSecret: string;
  paymentIntents: Map<string, StandInPaymentIntent>;
  checkoutSessions: Map<string, StandInCheckoutSession>;
  refunds: Map<string, StandInRefund>;
  /** Every API request received, in order (method, path, idempotency key), for tests to count. */
  requests: { method: string; path: string; idempotencyKey: string | null }[];
  /** Where events are posted (the MediSync server's `/webhooks/stripe`). */
  setWebhookUrl(url: string): void;
  /** The patient pays: the intent succeeds and the events Stripe sends are delivered, signed. */
  pay(id: string): Promise<void>;
  /** A card declined on the reader or the hosted page. */
  decline(id: string): Promise<void>;
  /** A payment page left unpaid until it expires (24 hours at Stripe); `checkout.session.expired` goes out. */
  expire(sessionId: string): Promise<void>;
  /** Someone refunds in Stripe's dashboard (no MediSync metadata); `refund.created` goes out. */
  refundInDashboard(paymentIntentId: string, amount: number): Promise<void>;
  /** Posts one event (for forged, stale and repeated deliveries); answers the receiver's status. */
  deliver(event: object, options?: { secret?: string; timestamp?: number }): Promise<{ status: number; body: string }>;
  /** The event Stripe would send for an object; pass to `deliver` to send it again. */
  eventFor(type: string, object: object): { id: string; object: 'event'; type: string; data: { object: object } };
  close(): Promise<void>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomId = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const paymentIntents = new Map<string, StandInPaymentIntent>();
  const checkoutSessions = new Map<string, StandInCheckoutSession>();
  const refunds = new Map<string, StandInRefund>();
  const requests: StripeStandIn['requests'] = [];
  /** Stripe's idempotency: the first answer to a key, replayed for every retry with the same parameters. */
  const idempotent = new Map<string, { body: string; status: number; answer: string }>();
  let webhookUrl: string | null = null;
  let base = '';
  const signer = new Stripe(secretKey);

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const send = (status: number, body: unknown, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type, 'request-id': randomId('req') });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      // The hosted page a patient opens from the QR code.
      if (path.startsWith('/pay/')) {
        const session = checkoutSessions.get(path.slice('/pay/'.length));
        if (session === undefined) return send(404, 'no such payment page', 'text/plain');
        if (session.status === 'expired') return send(410, 'this payment page has expired', 'text/plain');
        if (req.method === 'POST') {
          void complete(session.payment_intent).then(() => send(200, paidPage(session), 'text/html'));
          return;
        }
        return send(200, session.status === 'complete' ? paidPage(session) : payPage(session), 'text/html');
      }
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        return send(401, stripeError('invalid_request_error', 'Invalid API Key provided', 'api_key_invalid'));
      }
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      requests.push({ method: req.method ?? 'GET', path, idempotencyKey: key });
      if (key !== null && req.method === 'POST') {
        const seen = idempotent.get(`${path}|${key}`);
        if (seen !== undefined) {
          if (seen.body !== raw) {
            return send(
              400,
              stripeError(
                'idempotency_error',
                'Keys for idempotent requests can only be used with the same parameters they were first used with.',
              ),
            );
          }
          res.writeHead(seen.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
          return res.end(seen.answer);
        }
      }
      const [status, answer] = route(req.method ?? 'GET', path, parseForm(raw));
      const body = JSON.stringify(answer);
      if (key !== null && req.method === 'POST') idempotent.set(`${path}|${key}`, { body: raw, status, answer: body });
      send(status, body);
    });
  });

  function route(method: string, path: string, form: Record<string, unknown>): [number, unknown] {
    let match: RegExpMatchArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') {
      const intent = newIntent(form);
      return [200, intent];
    }
    if ((match = path.match(/^\/v1\/payment_intents\/([^/]+)$/)) && method === 'GET') {
      const intent = paymentIntents.get(match[1]!);
      return intent ? [200, intent] : [404, missing('payment_intent', match[1]!)];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const items = form.line_items as {
        price_data: { currency: string; unit_amount: string; product_data: { name: string } };
        quantity: string;
      }[];
      const amount = items.reduce((sum, item) => sum + Number(item.price_data.unit_amount) * Number(item.quantity), 0);
      const intentData = (form.payment_intent_data ?? {}) as Record<string, unknown>;
      const intent = newIntent({
        amount: String(amount),
        currency: items[0]!.price_data.currency,
        metadata: intentData.metadata,
        receipt_email: intentData.receipt_email,
        description: items[0]!.price_data.product_data.name,
      });
      const id = randomId('cs');
      const session: StandInCheckoutSession = {
        id,
        object: 'checkout.session',
        url: `${base}/pay/${id}`,
        status: 'open',
        payment_status: 'unpaid',
        payment_intent: intent.id,
        amount_total: amount,
        currency: intent.currency,
        metadata: (form.metadata ?? {}) as Record<string, string>,
        client_reference_id: (form.client_reference_id as string | undefined) ?? null,
        line_items: items,
      };
      checkoutSessions.set(id, session);
      return [200, session];
    }
    if ((match = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/)) && method === 'GET') {
      const session = checkoutSessions.get(match[1]!);
      return session ? [200, session] : [404, missing('checkout.session', match[1]!)];
    }
    if ((match = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/)) && method === 'POST') {
      const session = checkoutSessions.get(match[1]!);
      if (session === undefined) return [404, missing('checkout.session', match[1]!)];
      if (session.status !== 'open') {
        return [
          400,
          stripeError('invalid_request_error', `Only open sessions can be expired (this one is ${session.status})`),
        ];
      }
      session.status = 'expired';
      setImmediate(() => void deliverQuietly(eventFor('checkout.session.expired', session)));
      return [200, session];
    }
    if ((match = path.match(/^\/v1\/payment_intents\/([^/]+)\/cancel$/)) && method === 'POST') {
      const intent = paymentIntents.get(match[1]!);
      if (intent === undefined) return [404, missing('payment_intent', match[1]!)];
      if (intent.status === 'succeeded') {
        return [
          400,
          stripeError(
            'invalid_request_error',
            'You cannot cancel this PaymentIntent because it has a status of succeeded.',
          ),
        ];
      }
      intent.status = 'canceled';
      intent.canceled_at = nowSeconds();
      setImmediate(() => void deliverQuietly(eventFor('payment_intent.canceled', intent)));
      return [200, intent];
    }
    if ((match = path.match(/^\/v1\/terminal\/readers\/([^/]+)\/process_payment_intent$/)) && method === 'POST') {
      const intent = paymentIntents.get(String(form.payment_intent));
      if (intent === undefined) return [404, missing('payment_intent', String(form.payment_intent))];
      return [
        200,
        {
          id: match[1],
          object: 'terminal.reader',
          status: 'online',
          action: {
            type: 'process_payment_intent',
            status: 'in_progress',
            process_payment_intent: { payment_intent: intent.id },
          },
        },
      ];
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = paymentIntents.get(String(form.payment_intent));
      if (intent === undefined) return [404, missing('payment_intent', String(form.payment_intent))];
      if (intent.status !== 'succeeded') {
        return [
          400,
          stripeError('invalid_request_error', `PaymentIntent ${intent.id} has not succeeded`, 'charge_not_succeeded'),
        ];
      }
      const refunded = [...refunds.values()]
        .filter((r) => r.payment_intent === intent.id)
        .reduce((s, r) => s + r.amount, 0);
      const amount = form.amount === undefined ? intent.amount_received - refunded : Number(form.amount);
      if (amount > intent.amount_received - refunded) {
        return [
          400,
          stripeError(
            'invalid_request_error',
            `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount_received - refunded})`,
            'amount_too_large',
          ),
        ];
      }
      const refund: StandInRefund = {
        id: randomId('re'),
        object: 'refund',
        amount,
        payment_intent: intent.id,
        status: 'succeeded',
        reason: (form.reason as string | undefined) ?? null,
        metadata: (form.metadata ?? {}) as Record<string, string>,
      };
      refunds.set(refund.id, refund);
      // Stripe also reports a refund it made through the API as an event, after answering.
      setImmediate(() => void deliverQuietly(eventFor('refund.created', { ...refund, created: nowSeconds() })));
      return [200, refund];
    }
    return [404, stripeError('invalid_request_error', `Unrecognized request URL (${method}: ${path}).`)];
  }

  function newIntent(form: Record<string, unknown>): StandInPaymentIntent {
    const intent: StandInPaymentIntent = {
      id: randomId('pi'),
      object: 'payment_intent',
      amount: Number(form.amount),
      amount_received: 0,
      currency: String(form.currency),
      status: 'requires_payment_method',
      metadata: (form.metadata ?? {}) as Record<string, string>,
      description: (form.description as string | undefined) ?? null,
      receipt_email: (form.receipt_email as string | undefined) ?? null,
      payment_method_types: (form.allowed_payment_method_types as string[] | undefined) ?? ['card'],
      latest_charge: null,
      canceled_at: null,
    };
    paymentIntents.set(intent.id, intent);
    return intent;
  }

  const eventFor: StripeStandIn['eventFor'] = (type, object) => ({
    id: randomId('evt'),
    object: 'event',
    type,
    data: { object: structuredClone(object) },
  });

  const deliver: StripeStandIn['deliver'] = async (event, options = {}) => {
    if (webhookUrl === null) throw new Error('the stand-in has no webhook URL to deliver to');
    const payload = JSON.stringify(event);
    const header = signer.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? webhookSecret,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    });
    return { status: response.status, body: await response.text() };
  };

  const deliverQuietly = (event: object) =>
    webhookUrl === null
      ? Promise.resolve()
      : deliver(event).then(
          () => undefined,
          () => undefined,
        );

  /** What Stripe does when a card is accepted: the intent succeeds, then its events go out. */
  async function complete(idOrSession: string): Promise<void> {
    const session = checkoutSessions.get(idOrSession);
    const intent = paymentIntents.get(session?.payment_intent ?? idOrSession);
    if (intent === undefined) throw new Error(`no payment intent or checkout session ${idOrSession}`);
    if (intent.status === 'succeeded') return;
    if (intent.status === 'canceled' || session?.status === 'expired')
      throw new Error(`${idOrSession} can no longer be paid`);
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = randomId('ch');
    const owner = session ?? [...checkoutSessions.values()].find((s) => s.payment_intent === intent.id);
    if (owner) {
      owner.status = 'complete';
      owner.payment_status = 'paid';
      await deliver(eventFor('checkout.session.completed', owner));
    }
    await deliver(eventFor('payment_intent.succeeded', intent));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    secretKey,
    webhookSecret,
    paymentIntents,
    checkoutSessions,
    refunds,
    requests,
    setWebhookUrl: (url) => (webhookUrl = url),
    pay: complete,
    async decline(id) {
      const session = checkoutSessions.get(id);
      const intent = paymentIntents.get(session?.payment_intent ?? id);
      if (intent === undefined) throw new Error(`no payment intent ${id}`);
      await deliver(
        eventFor('payment_intent.payment_failed', {
          ...intent,
          last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
        }),
      );
    },
    async expire(sessionId) {
      const session = checkoutSessions.get(sessionId);
      if (session === undefined || session.status !== 'open') throw new Error(`no open checkout session ${sessionId}`);
      session.status = 'expired';
      await deliver(eventFor('checkout.session.expired', session));
    },
    async refundInDashboard(paymentIntentId, amount) {
      const refund: StandInRefund = {
        id: randomId('re'),
        object: 'refund',
        amount,
        payment_intent: paymentIntentId,
        status: 'succeeded',
        reason: 'requested_by_customer',
        metadata: {},
      };
      refunds.set(refund.id, refund);
      await deliver(eventFor('refund.created', { ...refund, created: nowSeconds() }));
    },
    deliver,
    eventFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Stripe's form encoding (`metadata[chargeId]=…`, `line_items[0][price_data][currency]=…`) back to objects. */
function parseForm(raw: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      const slot = Array.isArray(node) ? Number(part) : part;
      const holder = node as Record<string | number, unknown>;
      if (last) {
        if (part === '' && Array.isArray(node)) node.push(value);
        else holder[slot] = value;
        return;
      }
      holder[slot] ??= nextIsIndex || path[i + 1] === '' ? [] : {};
      node = holder[slot] as Record<string, unknown> | unknown[];
    });
  }
  return root;
}

function stripeError(type: string, message: string, code?: string) {
  return { error: { type, message, ...(code ? { code } : {}) } };
}

const missing = (object: string, id: string) =>
  stripeError('invalid_request_error', `No such ${object}: '${id}'`, 'resource_missing');

function payPage(session: StandInCheckoutSession): string {
  const amount = (session.amount_total / 100).toFixed(2);
  return `<!doctype html><title>Pay</title><h1>Stripe test page</h1>
<p>Pay <strong>${amount} ${session.currency.toUpperCase()}</strong></p>
<form method="post"><button type="submit">Pay ${amount} ${session.currency.toUpperCase()}</button></form>`;
}

function paidPage(session: StandInCheckoutSession): string {
  return `<!doctype html><title>Paid</title><h1>Payment received</h1><p>${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}</p>`;
}

/** The server's billing settings for a stand-in (what STRIPE_* variables would say). */
export function standInBilling(
  standIn: StripeStandIn,
  options: { kioskPayments?: boolean; terminalReaderId?: string } = {},
): BillingConfig {
  return {
    stripe: {
      secretKey: standIn.secretKey,
      webhookSecret: standIn.webhookSecret,
      apiUrl: standIn.url,
      terminalReaderId: options.terminalReaderId,
    },
    currency: 'usd',
    kioskPayments: options.kioskPayments ?? false,
  };
}
