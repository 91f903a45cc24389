import type { Logger } from 'pino';
import { defaultWebhookTiming, type WebhookTiming } from '#config';
import type { Db } from '#db/db';
import { claimDueSql, OutboxWorker, retryDelayMs } from '#outbox/worker';
import { signatureHeader } from './signature.js';

/** Any part of the timing; the rest comes from the defaults (config.ts: WEBHOOK_* variables). */
export type DispatcherOptions = Partial<WebhookTiming>;

interface Claimed {
  id: string;
  attempts: number;
  event_id: string;
  type: string;
  payload: unknown;
  url: string;
  secret: string;
}

/**
 * Sends the webhook outbox through an outbox worker (outbox/worker.ts): each
 * server instance runs one, instances claim due deliveries with a lease, so no
 * two send the same delivery at once and a crashed instance's claims become due
 * again. Delivery is at least once: receivers drop repeats by `MediSync-Event-Id`.
 */
export class WebhookDispatcher {
  private readonly options: WebhookTiming;
  private readonly worker: OutboxWorker<Claimed>;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: DispatcherOptions = {},
  ) {
    this.options = { ...defaultWebhookTiming, ...options };
    this.worker = new OutboxWorker('webhook dispatch', log, this.options.pollMs, {
      claim: () => this.claim(),
      attempt: (delivery) => this.attempt(delivery),
      // Attempts in flight are cut: they stay due and are retried later.
      onStop: () => {
        for (const controller of this.inFlight) controller.abort();
      },
    });
  }

  start(): void {
    this.worker.start();
  }

  /** Looks for due deliveries now rather than at the next poll (after a write raised events). */
  poke(): void {
    this.worker.poke();
  }

  /** Stops polling, cuts attempts in flight (they stay due and are retried later) and waits for the round to end. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }

  private get stopped(): boolean {
    return this.worker.stopped;
  }

  private async claim(): Promise<Claimed[]> {
    const leaseMs = this.options.timeoutMs + 5_000;
    return this.db.query<Claimed>(
      claimDueSql(
        'webhook_deliveries',
        `SELECT c.id, c.attempts, c.event_id, e.type, e.payload, s.url, s.secret
           FROM claimed c
           JOIN webhook_events e ON e.id = c.event_id
           JOIN webhook_subscriptions s ON s.id = c.subscription_id`,
      ),
      [this.options.batchSize, leaseMs],
    );
  }

  private async attempt(delivery: Claimed): Promise<void> {
    const body = JSON.stringify(delivery.payload);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'MediSync-Webhooks/1',
          'medisync-event-id': delivery.event_id,
          'medisync-event-type': delivery.type,
          'medisync-signature': signatureHeader(delivery.secret, body),
        },
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `receiver answered ${status}`;
    } catch (caught) {
      error = this.stopped ? 'server shutting down' : String((caught as Error).message ?? caught).slice(0, 500);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    const durationMs = Date.now() - started;
    // A shutdown cut the attempt short: it was not the receiver's fault, so it does not count.
    if (this.stopped && error === 'server shutting down') {
      await this.db
        .query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, [delivery.id])
        .catch(() => undefined);
      return;
    }
    const attempts = delivery.attempts + 1;
    const delivered = error === null;
    const failed = !delivered && attempts >= this.options.maxAttempts;
    const delayMs = retryDelayMs(attempts, this.options);
    await this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO webhook_attempts (delivery_id, status, error, duration_ms) VALUES ($1, $2, $3, $4)`, [
        delivery.id,
        status,
        error,
        durationMs,
      ]);
      await tx.query(
        `UPDATE webhook_deliveries
            SET attempts = $2, last_status = $3, last_error = $4,
                state = $5, delivered_at = CASE WHEN $5 = 'delivered' THEN now() END,
                next_attempt_at = now() + make_interval(secs => $6::double precision / 1000)
          WHERE id = $1`,
        [delivery.id, attempts, status, error, delivered ? 'delivered' : failed ? 'failed' : 'pending', delayMs],
      );
    });
    if (!delivered) this.log.info({ deliveryId: delivery.id, attempts, status }, 'webhook delivery failed; will retry');
  }
}
