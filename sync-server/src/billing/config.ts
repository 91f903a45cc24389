import { z } from 'zod';
import type { StripeSettings } from './stripe-gateway.js';

/** How billing is set up (docs/architecture.md §9.7); read with the rest of the server's configuration. */
export interface BillingConfig {
  /** Absent: no card payments (the desk records what is due and collects it another way). */
  stripe: StripeSettings | null;
  /** ISO 4217, lower case: the clinic's currency for new charges. */
  currency: string;
  /** Whether the kiosk offers to pay the copay after check-in. */
  kioskPayments: boolean;
}

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' }))
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/** The billing variables of the server's environment schema (config.ts). */
export function billingEnv() {
  return {
    STRIPE_SECRET_KEY: z
      .string()
      .trim()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'expected a Stripe secret key (sk_live_…, sk_test_… or rk_…)')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9_]+$/, 'expected a Stripe webhook signing secret (whsec_…)')
      .optional(),
    STRIPE_API_URL: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:12111' })
      .optional(),
    STRIPE_TERMINAL_READER_ID: z
      .string()
      .trim()
      .regex(/^tmr_[A-Za-z0-9_]+$/, 'expected a Stripe Terminal reader id (tmr_…)')
      .optional(),
    BILLING_CURRENCY: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z]{3}$/, 'expected an ISO 4217 currency code such as usd')
      .default('usd'),
    KIOSK_PAYMENTS: onOff.optional(),
  };
}

type BillingEnv = {
  STRIPE_SECRET_KEY?: string | undefined;
  STRIPE_WEBHOOK_SECRET?: string | undefined;
  STRIPE_API_URL?: string | undefined;
  STRIPE_TERMINAL_READER_ID?: string | undefined;
  BILLING_CURRENCY: string;
  KIOSK_PAYMENTS?: boolean | undefined;
};

/** The billing settings, or the message naming what is missing: a key without its webhook secret cannot learn of payments. */
export function billingConfigOf(e: BillingEnv): BillingConfig | string {
  if ((e.STRIPE_SECRET_KEY === undefined) !== (e.STRIPE_WEBHOOK_SECRET === undefined)) {
    return 'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both (card payments) or neither';
  }
  const stripe: StripeSettings | null =
    e.STRIPE_SECRET_KEY === undefined || e.STRIPE_WEBHOOK_SECRET === undefined
      ? null
      : {
          secretKey: e.STRIPE_SECRET_KEY,
          webhookSecret: e.STRIPE_WEBHOOK_SECRET,
          apiUrl: e.STRIPE_API_URL,
          terminalReaderId: e.STRIPE_TERMINAL_READER_ID,
        };
  return { stripe, currency: e.BILLING_CURRENCY, kioskPayments: stripe !== null && (e.KIOSK_PAYMENTS ?? false) };
}
