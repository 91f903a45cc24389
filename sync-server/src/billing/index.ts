import type express from 'express';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AuditLog } from '#audit/audit-log';
import type { AuthDeps } from '#auth/authenticate';
import type { Db } from '#db/db';
import type { EmailChannel } from '#reminders/channels/channel';
import type { BillingConfig } from './config.js';
import { billingRouter, stripeWebhookHandler } from './router.js';
import { BillingService } from './service.js';
import { StripeGateway } from './stripe-gateway.js';

export type { BillingConfig } from './config.js';

export const noBilling: BillingConfig = { stripe: null, currency: 'usd', kioskPayments: false };

/**
 * Billing's HTTP surface (docs/architecture.md §9.7): `/webhooks/stripe`, which
 * reads its raw body and so is mounted before the JSON parser, and `/billing`.
 */
export function billingRoutes(
  deps: AuthDeps & { db: Db; log: Logger; io: Server; audit: AuditLog; email?: EmailChannel | null },
  config: BillingConfig = noBilling,
): { stripeWebhook: express.RequestHandler[]; router: express.Router } {
  const gateway = config.stripe ? new StripeGateway(config.stripe) : null;
  const billing = new BillingService(deps, gateway);
  return {
    stripeWebhook: stripeWebhookHandler({ gateway, billing }),
    router: billingRouter({ ...deps, billing, config }),
  };
}
