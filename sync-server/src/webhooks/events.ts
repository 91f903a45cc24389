import {
  canonicalJson,
  newId,
  type Appointment,
  type CollectionName,
  type LedgerEntry,
  type QueueEntry,
} from '@medisync/shared/domain';
import { toApi } from '#api/records';
import { ledgerToApi } from '#billing/api-shape';
import type { AfterWrite, Doc } from '#sync/store';

export const webhookEventTypes = [
  'patient.created',
  'patient.updated',
  'appointment.booked',
  'appointment.cancelled',
  'appointment.checked_in',
  'appointment.no_show',
  'queue.called',
  'queue.roomed',
  'queue.completed',
  'invoice.paid',
  'payment.refunded',
  'claim.updated',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * What a receiver gets: `id` is stable across retries, so a receiver drops
 * repeats by it; `data.record` has the shape REST answers for that record.
 */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  siteId: string;
  data: { collection: CollectionName; record: Record<string, unknown> };
}

const ARRIVED = ['checked-in', 'arrived'];
const PRESENT = ['checked-in', 'arrived', 'fulfilled'];

/**
 * The events a change raises, from the record's state before and after it.
 * Status events follow the derived status, so a step that the merge did not
 * apply (a late no-show after a check-in) raises nothing, and the same check-in
 * arriving twice raises one event.
 */
export function eventsOf(collection: CollectionName, previous: Doc | undefined, next: Doc): WebhookEventType[] {
  if (next._deleted) return [];
  switch (collection) {
    case 'patients':
      return [previous === undefined ? 'patient.created' : 'patient.updated'];
    case 'appointments': {
      const before = (previous as Appointment | undefined)?.status;
      const after = (next as unknown as Appointment).status;
      if (before === after) return [];
      if (after === 'booked' && (before === undefined || !PRESENT.includes(before))) return ['appointment.booked'];
      if (after === 'cancelled') return ['appointment.cancelled'];
      if (after === 'noshow') return ['appointment.no_show'];
      if (ARRIVED.includes(after) && (before === undefined || !PRESENT.includes(before))) {
        return ['appointment.checked_in'];
      }
      return [];
    }
    case 'queueEntries': {
      const before = (previous as QueueEntry | undefined)?.status;
      const after = (next as unknown as QueueEntry).status;
      if (before === after) return [];
      if (after === 'called') return ['queue.called'];
      if (after === 'in-room') return before === 'done' ? [] : ['queue.roomed'];
      if (after === 'done') return ['queue.completed'];
      return [];
    }
    case 'ledger':
      return ledgerEvents(previous as LedgerEntry | undefined, next as unknown as LedgerEntry);
    default:
      return [];
  }
}

/** Billing's events (docs/architecture.md §9.7): a paid invoice, money given back, any change of a claim. */
function ledgerEvents(before: LedgerEntry | undefined, after: LedgerEntry): WebhookEventType[] {
  switch (after.kind) {
    case 'invoice':
      return after.status === 'paid' && (before?.kind !== 'invoice' || before.status !== 'paid')
        ? ['invoice.paid']
        : [];
    case 'payment': {
      const was = before?.kind === 'payment' ? before.refundedCents : 0;
      return after.refundedCents > was ? ['payment.refunded'] : [];
    }
    case 'claim': {
      // Clocks move on every merge; a claim.updated means its content changed.
      const content = (c: LedgerEntry | undefined) => {
        if (c === undefined) return null;
        const { clocks, ...rest } = c;
        void clocks;
        return canonicalJson(rest);
      };
      return content(before) !== content(after) ? ['claim.updated'] : [];
    }
    default:
      return [];
  }
}

/**
 * Writes the events of a push's changes to the outbox, inside the push's own
 * transaction, with one delivery per active subscription of the site that asked
 * for that event type: one read of the subscriptions and two inserts however
 * many records the push wrote. Every `pushRecords` runs it as its `afterWrite`,
 * alone or within the server's (`serverWrites`, billing/accounts.ts).
 */
export const recordWebhookEvents: AfterWrite = async (tx, collection, writes) => {
  const raised = writes.flatMap(({ previous, next }) => {
    const siteId = (next as { siteId?: string }).siteId;
    if (siteId === undefined) return [];
    return eventsOf(collection, previous, next).map((type) => ({ siteId, type, next }));
  });
  if (raised.length === 0) return;
  const { rows: subscriptions } = await tx.query<{ id: string; site_id: string; events: string[] }>(
    `SELECT id, site_id, events FROM webhook_subscriptions WHERE site_id = ANY($1::uuid[]) AND active`,
    [[...new Set(raised.map((r) => r.siteId))]],
  );
  const events: WebhookEvent[] = [];
  const deliveries: { event: string; subscription: string }[] = [];
  for (const { siteId, type, next } of raised) {
    const subscribers = subscriptions.filter((s) => s.site_id === siteId && s.events.includes(type));
    if (subscribers.length === 0) continue;
    // The record as REST shows it: never the clocks or status log that only replicas need.
    const record =
      collection === 'ledger' ? ledgerToApi(next as unknown as LedgerEntry) : (toApi(next) as Record<string, unknown>);
    const event: WebhookEvent = {
      id: newId(),
      type,
      occurredAt: new Date().toISOString(),
      siteId,
      data: { collection, record },
    };
    events.push(event);
    for (const subscriber of subscribers) deliveries.push({ event: event.id, subscription: subscriber.id });
  }
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO webhook_events (id, site_id, type, payload)
     SELECT e.id, e.site_id, e.type, e.payload
       FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, site_id uuid, type text, payload jsonb)`,
    [JSON.stringify(events.map((e) => ({ id: e.id, site_id: e.siteId, type: e.type, payload: e })))],
  );
  await tx.query(
    `INSERT INTO webhook_deliveries (id, event_id, subscription_id)
     SELECT gen_random_uuid(), e, s FROM unnest($1::uuid[], $2::uuid[]) AS d(e, s)`,
    [deliveries.map((d) => d.event), deliveries.map((d) => d.subscription)],
  );
};
