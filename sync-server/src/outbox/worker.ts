import type { Logger } from 'pino';

/**
 * What the server's outboxes share (the webhook deliveries, the reminder
 * messages): a durable table of rows with `state`, `attempts` and
 * `next_attempt_at`, worked through by one polling loop per instance.
 * Instances claim due rows with `FOR UPDATE SKIP LOCKED` and a lease (the claim
 * moves `next_attempt_at` past the attempt's time limit), so no two instances
 * work one row at once and a crashed instance's claims become due again.
 */

/**
 * The claim of up to `$1` due rows of `table` (`state = 'pending'`), leased for
 * `$2` milliseconds; `then` selects from `claimed`, the claimed rows as updated.
 */
export function claimDueSql(table: string, then: string): string {
  return `WITH due AS (
       SELECT id FROM ${table}
        WHERE state = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id
        LIMIT $1
        FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE ${table} d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM due WHERE d.id = due.id
       RETURNING d.*)
     ${then}`;
}

/** The wait before attempt `attempts + 1`: `baseMs`, then twice as long each time, at most `maxMs`. */
export function retryDelayMs(attempts: number, timing: { retryBaseMs: number; retryMaxMs: number }): number {
  return Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

export interface OutboxWork<T> {
  /** Runs once at the start of each round, before the first claim (e.g. queue what has fallen due). */
  beforeRound?(): Promise<void>;
  /** Claims the next due rows; none ends the round. */
  claim(): Promise<T[]>;
  /** Works one claimed row (an attempt) and records how it went. */
  attempt(row: T): Promise<void>;
  /** Called once when stopping, before waiting for the round: cut what can be cut. */
  onStop?(): void;
}

/** The polling loop: a round claims and works due rows until none is left, then waits `pollMs`. */
export class OutboxWorker<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly pollMs: number,
    private readonly work: OutboxWork<T>,
  ) {}

  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** Looks for due rows now rather than at the next poll (after a write queued some). */
  poke(): void {
    if (!this.stopping && this.running === undefined) this.schedule(0);
  }

  /** Stops polling, lets the work cut what it can, and waits for the round to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.work.onStop?.();
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running ??= this.round()
        .catch((error: unknown) => this.log.warn({ err: String(error) }, `${this.name} round failed`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopping) this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    await this.work.beforeRound?.();
    for (;;) {
      if (this.stopping) return;
      const claimed = await this.work.claim();
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((row) => this.work.attempt(row)));
    }
  }
}
