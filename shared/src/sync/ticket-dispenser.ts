import {
  DEVICE_TAG_COUNT,
  deviceTagFor,
  fallbackTicketCode,
  localDateAt,
  takeTicket,
  ticketBlockSchema,
  type Site,
  type TicketBlock,
} from '../domain/index.js';
import { combineLatest, distinctUntilChanged, filter, map, type Observable, type Subscription } from 'rxjs';
import type { DeviceDatabase } from './database.js';
import type { SyncState } from './sync-state.js';

export interface TicketDispenserOptions {
  serverUrl: string;
  getToken: () => string | Promise<string>;
  /** Numbers per lease. A busy lobby does a few hundred check-ins a day. */
  blockSize?: number;
  /** Lease the next block once this few numbers are left, so going offline finds a full hand. */
  refillThreshold?: number;
}

interface DispenserState {
  deviceTag: string | null;
  blocks: TicketBlock[];
  /** Fallback codes given so far per `${date} ${prefix}`: a restart never reuses one. */
  fallbackCounters: Record<string, number>;
}

const STATE_DOC = 'ticket-dispenser';

/** A lease that hangs (server reachable but stuck) must not hold up later refills of its queue for long. */
const LEASE_TIMEOUT_MS = 15_000;

/**
 * Hands out ticket codes with no round trip (docs/architecture.md §4.7): from blocks of
 * numbers leased per site, queue and day while online, refilled before they run
 * low; once a block is exhausted offline, device-scoped codes that no other
 * device can give. Check-in never waits for the network.
 */
export class TicketDispenser {
  private state: DispenserState;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The refill running per queue. Callers that come while one runs share it,
   * so a burst of reconnects or check-ins leases one block, not one each.
   */
  private readonly refilling = new Map<string, Promise<boolean>>();

  private constructor(
    private readonly db: DeviceDatabase,
    private readonly options: TicketDispenserOptions,
    initial: DispenserState,
  ) {
    this.state = initial;
  }

  static async open(db: DeviceDatabase, options: TicketDispenserOptions): Promise<TicketDispenser> {
    const stored = await db.rx.getLocal<DispenserState>(STATE_DOC);
    const initial: DispenserState = stored
      ? {
          deviceTag: stored.get('deviceTag'),
          blocks: stored.get('blocks'),
          fallbackCounters: stored.get('fallbackCounters'),
        }
      : { deviceTag: null, blocks: [], fallbackCounters: {} };
    return new TicketDispenser(db, options, initial);
  }

  /** The next code for a queue at a site, now. Never touches the network. */
  issue(site: Site, queue: string, now = new Date()): Promise<string> {
    return this.serially(async () => {
      const prefix = site.queuePrefixes[queue];
      if (prefix === undefined) throw new Error(`site "${site.name}" has no queue "${queue}"`);
      const date = localDateAt(now, site.timezone);
      const usable = this.blocksFor(queue, date).find((b) => !takeTicket(b).exhausted);
      let code: string;
      if (usable) {
        const taken = takeTicket(usable);
        if (taken.exhausted) throw new Error('unreachable: block was checked');
        this.state = { ...this.state, blocks: this.state.blocks.map((b) => (b.id === usable.id ? taken.block : b)) };
        code = taken.code;
      } else {
        const key = `${date} ${prefix}`;
        const counter = (this.state.fallbackCounters[key] ?? 0) + 1;
        code = fallbackTicketCode(prefix, this.deviceTag(), counter);
        this.state = { ...this.state, fallbackCounters: { ...this.state.fallbackCounters, [key]: counter } };
      }
      // Saved before the code is shown, so a crash right after cannot give it twice.
      await this.persist(date);
      return code;
    }).then((code) => {
      void this.refill(site, [queue], now);
      return code;
    });
  }

  /**
   * Leases blocks for the day's queues where this device holds too few numbers,
   * one lease at a time per queue. Offline, this quietly does nothing: the
   * dispenser falls back by itself.
   */
  async refill(
    site: Site,
    queues: readonly string[] = Object.keys(site.queuePrefixes),
    now = new Date(),
  ): Promise<void> {
    const date = localDateAt(now, site.timezone);
    for (const queue of queues) {
      // Offline or refused: try again at the next check-in or reconnect.
      if (!(await this.refillQueue(queue, date))) return;
    }
  }

  /**
   * Keeps this device's ticket numbers topped up for going offline: leases
   * once the site's record is in the replica and the server is reachable,
   * again on every reconnect and whenever the site changes, and (through
   * `issue`) whenever a check-in leaves a block low. The site often arrives
   * after the device comes online on its first sync, so both are watched.
   */
  keepToppedUp(siteId: string, sync: { state$: Observable<SyncState> }): Subscription {
    const online$ = sync.state$.pipe(
      map((state) => state.status === 'online'),
      distinctUntilChanged(),
    );
    return combineLatest([this.db.rx.sites.findOne(siteId).$, online$])
      .pipe(filter(([site, online]) => online && site !== null))
      .subscribe(([site]) => void this.refill(site!.toJSON() as Site));
  }

  /** Numbers this device still holds for a queue today. */
  remaining(queue: string, date: string): number {
    return this.blocksFor(queue, date).reduce((n, b) => n + (b.end - b.nextNumber + 1), 0);
  }

  private blocksFor(queue: string, date: string): TicketBlock[] {
    return this.state.blocks.filter((b) => b.queue === queue && b.date === date).sort((a, b) => a.start - b.start);
  }

  /**
   * The server gives each device its tag with its first block. A device that
   * never reached the server (rare: it had to, to enrol) derives one from its
   * id; a clash with another device's is then caught by the server's
   * duplicate-ticket flag rather than lost.
   */
  private deviceTag(): string {
    if (this.state.deviceTag) return this.state.deviceTag;
    let hash = 0;
    for (const ch of this.db.deviceId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return deviceTagFor(hash % DEVICE_TAG_COUNT);
  }

  /** Resolves false when the lease failed; a later call starts afresh. */
  private refillQueue(queue: string, date: string): Promise<boolean> {
    const running = this.refilling.get(queue);
    if (running) return running;
    if (this.remaining(queue, date) > (this.options.refillThreshold ?? 20)) return Promise.resolve(true);
    const refill = (async () => {
      try {
        const block = await this.lease(queue, date);
        await this.serially(async () => {
          this.state = { ...this.state, deviceTag: block.deviceTag, blocks: [...this.state.blocks, block] };
          await this.persist(date);
        });
        return true;
      } catch {
        return false;
      } finally {
        this.refilling.delete(queue);
      }
    })();
    this.refilling.set(queue, refill);
    return refill;
  }

  private async lease(queue: string, date: string): Promise<TicketBlock> {
    const response = await fetch(`${this.options.serverUrl}/tickets/blocks`, {
      method: 'POST',
      signal: AbortSignal.timeout(LEASE_TIMEOUT_MS),
      headers: { authorization: `Bearer ${await this.options.getToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue, date, size: this.options.blockSize ?? 50, deviceId: this.db.deviceId }),
    });
    if (!response.ok) throw new Error(`ticket block lease failed: HTTP ${response.status}`);
    return ticketBlockSchema.parse(await response.json());
  }

  /** Keeps only today's and later blocks and counters; old days can never be used again. */
  private async persist(today: string): Promise<void> {
    const blocks = this.state.blocks.filter((b) => b.date >= today);
    const fallbackCounters = Object.fromEntries(
      Object.entries(this.state.fallbackCounters).filter(([k]) => k.slice(0, 10) >= today),
    );
    this.state = { ...this.state, blocks, fallbackCounters };
    await this.db.rx.upsertLocal(STATE_DOC, this.state);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
