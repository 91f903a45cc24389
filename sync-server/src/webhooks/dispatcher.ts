import type { Logger } from 'pino';
import type { Db } from '#db/db';
import { signatureHeader } from './signature.js';

export interface DispatcherOptions {
  /** How often due deliveries are looked for. Default 1 s. */
  pollMs?: number;
  /** The first retry waits this long, each next one twice as long. Default 5 s. */
  retryBaseMs?: number;
  /** The longest wait between attempts. Default 1 h. */
  retryMaxMs?: number;
  /** After this many attempts a delivery is given up as failed. Default 12. */
  maxAttempts?: number;
  /** One attempt's time limit. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries claimed per round. Default 20. */
  batchSize?: number;
}

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
 * Sends the webhook outbox. Each server instance runs one; instances claim due
 * deliveries with `FOR UPDATE SKIP LOCKED` and a lease (the claim moves
 * `next_attempt_at` past the attempt's time limit), so no two send the same
 * delivery at once and a crashed instance's claims become due again.
 * Delivery is at least once: receivers drop repeats by `MediSync-Event-Id`.
 */
export class WebhookDispatcher {
  private readonly options: Required<DispatcherOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: DispatcherOptions = {},
  ) {
    this.options = {
      pollMs: 1_000,
      retryBaseMs: 5_000,
      retryMaxMs: 3_600_000,
      maxAttempts: 12,
      timeoutMs: 10_000,
      batchSize: 20,
      ...options,
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due deliveries now rather than at the next poll (after a write raised events). */
  poke(): void {
    if (!this.stopped && this.running === undefined) this.schedule(0);
  }

  /** Stops polling, cuts attempts in flight (they stay due and are retried later) and waits for the round to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const controller of this.inFlight) controller.abort();
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running ??= this.round()
        .catch((error: unknown) => this.log.warn({ err: String(error) }, 'webhook dispatch round failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const claimed = await this.claim();
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    }
  }

  private async claim(): Promise<Claimed[]> {
    const leaseMs = this.options.timeoutMs + 5_000;
    return this.db.query<Claimed>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE state = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.attempts, d.event_id, d.subscription_id)
       SELECT c.id, c.attempts, c.event_id, e.type, e.payload, s.url, s.secret
         FROM claimed c
         JOIN webhook_events e ON e.id = c.event_id
         JOIN webhook_subscriptions s ON s.id = c.subscription_id`,
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
    const delayMs = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
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
