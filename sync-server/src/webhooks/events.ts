import { newId, type Appointment, type CollectionName, type QueueEntry } from '@medisync/shared/domain';
import type { Tx } from '#db/db';
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
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** What a receiver gets: `id` is stable across retries, so a receiver drops repeats by it. */
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
    default:
      return [];
  }
}

/**
 * Writes the events of one change to the outbox, inside the change's own
 * transaction, with one delivery per active subscription of the site that asked
 * for that event type. Pass it as `afterWrite` to every `pushRecords`.
 */
export const recordWebhookEvents: AfterWrite = async (tx, collection, previous, next) => {
  const types = eventsOf(collection, previous, next);
  if (types.length === 0) return;
  const siteId = (next as { siteId?: string }).siteId;
  if (siteId === undefined) return;
  const { _deleted, ...record } = next;
  void _deleted;
  for (const type of types) await enqueue(tx, siteId, type, collection, record);
};

async function enqueue(
  tx: Tx,
  siteId: string,
  type: WebhookEventType,
  collection: CollectionName,
  record: Record<string, unknown>,
): Promise<void> {
  const subscribers = await tx.query<{ id: string }>(
    `SELECT id FROM webhook_subscriptions WHERE site_id = $1 AND active AND $2 = ANY(events)`,
    [siteId, type],
  );
  if (subscribers.rows.length === 0) return;
  const event: WebhookEvent = {
    id: newId(),
    type,
    occurredAt: new Date().toISOString(),
    siteId,
    data: { collection, record },
  };
  await tx.query(`INSERT INTO webhook_events (id, site_id, type, payload) VALUES ($1, $2, $3, $4)`, [
    event.id,
    siteId,
    type,
    JSON.stringify(event),
  ]);
  await tx.query(
    `INSERT INTO webhook_deliveries (id, event_id, subscription_id)
     SELECT gen_random_uuid(), $1, s FROM unnest($2::uuid[]) AS s`,
    [event.id, subscribers.rows.map((r) => r.id)],
  );
}
