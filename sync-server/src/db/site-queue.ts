/**
 * Writes of one site waiting their turn in this process. Every write to a site
 * takes the site's lock in PostgreSQL (sync/store.ts), which serialises them
 * across server instances; a write waiting for that lock holds one of the
 * pool's few connections the whole time, so a burst of writes to one busy site
 * used to take every connection and leave the reads of every site (pulls, the
 * live stream's feed reads) waiting behind them. Here at most `depth` writes
 * of a site hold a connection at once; the rest wait in memory. More than one,
 * so the next write has its connection and its transaction open by the time
 * the site's lock is free, rather than queueing for a connection behind reads
 * while the whole site waits on it.
 */
export class SiteQueue {
  private readonly sites = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly depth = 2) {}

  /** Runs `work` once fewer than `depth` writes of each of these sites are running in this process. */
  async run<T>(siteIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const held: string[] = [];
    try {
      // Always in the same order, so two writes never wait on each other in a cycle.
      for (const siteId of [...new Set(siteIds)].sort()) {
        await this.enter(siteId);
        held.push(siteId);
      }
      return await work();
    } finally {
      for (const siteId of held) this.leave(siteId);
    }
  }

  private async enter(siteId: string): Promise<void> {
    let site = this.sites.get(siteId);
    if (site === undefined) this.sites.set(siteId, (site = { running: 0, waiting: [] }));
    if (site.running < this.depth) {
      site.running++;
      return;
    }
    // The leaving write hands its place over, so `running` stays counted.
    await new Promise<void>((resolve) => site.waiting.push(resolve));
  }

  private leave(siteId: string): void {
    const site = this.sites.get(siteId)!;
    const next = site.waiting.shift();
    if (next) next();
    else if (--site.running === 0) this.sites.delete(siteId);
  }
}
