import { randomBytes } from 'node:crypto';
import { newId } from '@medisync/shared/domain';
import { z } from 'zod';
import type { Db } from '#db/db';
import { webhookEventTypes } from './events.js';

export const subscriptionSchema = z
  .object({
    id: z.uuid(),
    url: z.url(),
    events: z.array(z.enum(webhookEventTypes)),
    active: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookSubscription' });
export type Subscription = z.infer<typeof subscriptionSchema>;

export const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    eventType: z.enum(webhookEventTypes),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    log: z.array(
      z.object({
        at: z.iso.datetime(),
        status: z.number().int().nullable(),
        error: z.string().nullable(),
        durationMs: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });
export type Delivery = z.infer<typeof deliverySchema>;

interface Row {
  id: string;
  url: string;
  events: Subscription['events'];
  active: boolean;
  created_at: Date;
}
const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  url: r.url,
  events: r.events,
  active: r.active,
  createdAt: r.created_at.toISOString(),
});

/** A new subscription and its signing secret, which is shown in this answer only. */
export async function createSubscription(
  db: Db,
  input: { clientId: string; siteId: string; url: string; events: Subscription['events'] },
): Promise<{ subscription: Subscription; secret: string }> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const rows = await db.query<Row>(
    `INSERT INTO webhook_subscriptions (id, client_id, site_id, url, events, secret)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [newId(), input.clientId, input.siteId, input.url, [...new Set(input.events)], secret],
  );
  return { subscription: toSubscription(rows[0]!), secret };
}

export async function listSubscriptions(db: Db, clientId: string): Promise<Subscription[]> {
  const rows = await db.query<Row>(
    `SELECT * FROM webhook_subscriptions WHERE client_id = $1 AND active ORDER BY created_at`,
    [clientId],
  );
  return rows.map(toSubscription);
}

export async function getSubscription(db: Db, clientId: string, id: string): Promise<Subscription | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const rows = await db.query<Row>(`SELECT * FROM webhook_subscriptions WHERE client_id = $1 AND id = $2`, [
    clientId,
    id,
  ]);
  return rows[0] ? toSubscription(rows[0]) : null;
}

/** Stops new events; deliveries already due are still attempted. */
export async function deactivateSubscription(db: Db, clientId: string, id: string): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) return false;
  const rows = await db.query(
    `UPDATE webhook_subscriptions SET active = false WHERE client_id = $1 AND id = $2 RETURNING id`,
    [clientId, id],
  );
  return rows.length > 0;
}

/** The delivery log of a subscription, newest first, each with its attempts. */
export async function listDeliveries(db: Db, subscriptionId: string, limit: number): Promise<Delivery[]> {
  const rows = await db.query<{
    id: string;
    event_id: string;
    type: Delivery['eventType'];
    state: Delivery['state'];
    attempts: number;
    next_attempt_at: Date;
    last_status: number | null;
    last_error: string | null;
    delivered_at: Date | null;
    created_at: Date;
    log: { at: string; status: number | null; error: string | null; duration_ms: number }[] | null;
  }>(
    `SELECT d.*, e.type,
            (SELECT json_agg(json_build_object('at', a.at, 'status', a.status, 'error', a.error, 'duration_ms', a.duration_ms)
                             ORDER BY a.id)
               FROM webhook_attempts a WHERE a.delivery_id = d.id) AS log
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE d.subscription_id = $1 ORDER BY d.created_at DESC, d.id LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    eventType: r.type,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    deliveredAt: r.delivered_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    log: (r.log ?? []).map((a) => ({
      at: new Date(a.at).toISOString(),
      status: a.status,
      error: a.error,
      durationMs: a.duration_ms,
    })),
  }));
}
