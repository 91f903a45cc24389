import type { Logger } from 'pino';

/**
 * Runs a job on this instance every `everyMs`, the first time after
 * `firstAfterMs` (a random short while, so instances starting together after
 * a deploy need not all begin with it). A failed run is logged and tried again
 * at the next interval; a run never overlaps the one before, and `stop` waits
 * for the run in progress. The jobs themselves make several instances safe
 * (each skips what another is doing).
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly job: { name: string; everyMs: number; run: () => Promise<void> },
    private readonly log: Logger,
  ) {}

  start(firstAfterMs = Math.min(this.job.everyMs, 60_000) * Math.random()): void {
    this.stopped = false;
    this.schedule(firstAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.job
        .run()
        .catch((error: unknown) => this.log.warn({ err: String(error) }, `${this.job.name} failed; retrying later`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.job.everyMs);
        });
    }, ms);
    this.timer.unref();
  }
}
