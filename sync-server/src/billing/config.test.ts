import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#config';

const KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
const SECRET = 'whsec_abcdefghijklmnop';

describe('billing configuration', () => {
  it('has no card payments and no kiosk payments unless Stripe is configured', () => {
    expect(loadConfig({}).billing).toEqual({ stripe: null, currency: 'usd', kioskPayments: false });
    expect(loadConfig({ KIOSK_PAYMENTS: 'true' }).billing.kioskPayments).toBe(false);
  });

  it('reads Stripe, the reader, the currency and kiosk payments from the environment', () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: KEY,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      STRIPE_TERMINAL_READER_ID: 'tmr_FDOt2wlRZEdpd7',
      BILLING_CURRENCY: 'EUR',
      KIOSK_PAYMENTS: 'yes',
    });
    expect(config.billing).toEqual({
      stripe: {
        secretKey: KEY,
        webhookSecret: SECRET,
        apiUrl: 'http://127.0.0.1:12111',
        terminalReaderId: 'tmr_FDOt2wlRZEdpd7',
      },
      currency: 'eur',
      kioskPayments: true,
    });
  });

  it('refuses a key without its webhook secret, and never repeats a secret in the message', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: KEY })).toThrow(
      'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together',
    );
    const wrong = 'pk_live_thisIsAPublishableKey';
    let message = '';
    try {
      loadConfig({ STRIPE_SECRET_KEY: wrong, STRIPE_WEBHOOK_SECRET: SECRET });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: STRIPE_SECRET_KEY expected a Stripe secret key/);
    expect(message).not.toContain(wrong);
    expect(() => loadConfig({ BILLING_CURRENCY: 'dollars' })).toThrow(/BILLING_CURRENCY/);
  });
});
