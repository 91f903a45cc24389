import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '#db/db';
import { FEED_CHANNEL } from './append.js';
import { feedHeads, readChangesAfter, type FeedChange, type FeedCursor } from './read.js';

export type ChangeListener = (change: FeedChange) => void | Promise<void>;

export interface ChangeFeedOptions {
  /** The database the feed is in; its own LISTEN connection is opened to it. */
  connectionString: string;
  db: Db;
  log: Logger;
  /** The first wait before reconnecting a lost LISTEN connection; doubles up to 5 s. Default 200 ms. */
  reconnectDelayMs?: number;
}

/** A subscriber this far behind is cut off rather than let the server's memory grow without bound. */
const MAX_BUFFERED = 10_000;

/**
 * This instance's reader of the committed-change feed (docs/architecture.md
 * §9.2): one LISTEN connection, woken by the NOTIFY each committing write
 * sends, reading the feed table from its cursor. Whatever committed while the
 * connection was lost is read from the cursor when it is back, so a listener
 * misses nothing; nothing polls on a timer. Listeners get each change once, in
 * position order per site, whichever instance committed it; a listener that
 * returns a promise gets its next change when that settles, without holding
 * up the others.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private cursor: FeedCursor = {};
  /** Each listener with the tail of its own queue: it gets changes in order, and a slow one delays no other. */
  private readonly listeners = new Map<ChangeListener, { tail: Promise<void> }>();
  private dirty: Set<string> | 'all' | null = null;
  private reading: Promise<void> | null = null;
  private reconnect: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: ChangeFeedOptions) {}

  /** Starts from the feed's head: listeners hear of what commits from now on. */
  async start(): Promise<void> {
    this.cursor = await feedHeads(this.options.db);
    await this.connect();
  }

  /** Calls `listener` with every change committed from now on; returns the unsubscribe. */
  onCommitted(listener: ChangeListener): () => void {
    this.listeners.set(listener, { tail: Promise.resolve() });
    return () => this.listeners.delete(listener);
  }

  /**
   * The changes committed from now on as an async iterator, for outlets that
   * pull (GraphQL subscriptions). Ends when `signal` aborts or the consumer
   * returns; throws if the consumer falls too far behind.
   */
  changes(signal?: AbortSignal): AsyncIterableIterator<FeedChange> {
    const buffered: FeedChange[] = [];
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    let done = false;
    const unsubscribe = this.onCommitted((change) => {
      if (buffered.length >= MAX_BUFFERED) failure ??= new Error('change feed subscriber fell too far behind');
      else buffered.push(change);
      wake?.();
    });
    const finish = () => {
      done = true;
      unsubscribe();
      wake?.();
    };
    signal?.addEventListener('abort', finish, { once: true });
    const iterator: AsyncIterableIterator<FeedChange> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (buffered.length === 0 && !done && failure === null) await new Promise<void>((r) => (wake = r));
        wake = null;
        if (failure !== null) {
          finish();
          throw failure;
        }
        const value = buffered.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => {
        finish();
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }

  /** How far this instance has read, per site. */
  get position(): FeedCursor {
    return this.cursor;
  }

  /** How many listeners are attached (each open subscription is one). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Whether the LISTEN connection is up (changes arrive as they commit). */
  get listening(): boolean {
    return this.client !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = null;
    await this.reading;
    await client?.end().catch(() => undefined);
    // Work listeners were given finishes before the pool they may write through closes.
    await Promise.all([...this.listeners.values()].map((queue) => queue.tail));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: 'medisync-change-feed',
    });
    client.on('notification', (message) => {
      this.wake(message.payload ? message.payload.split(',') : 'all');
    });
    client.on('error', (error) => {
      this.options.log.warn({ err: error.message }, 'change feed connection failed');
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'change feed could not listen');
      this.lost(client);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    // Whatever committed while this instance was not listening is read from the cursor.
    this.wake('all');
  }

  private lost(client: pg.Client): void {
    if (this.client !== null && this.client !== client) return;
    this.client = null;
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.stopped || this.reconnect !== undefined) return;
    const delay = Math.min(5_000, (this.options.reconnectDelayMs ?? 200) * 2 ** this.failures++);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.connect();
    }, delay);
  }

  /** Marks sites to read and starts one read loop; notifications during a read join the next round. */
  private wake(sites: string[] | 'all'): void {
    if (sites === 'all' || this.dirty === 'all') this.dirty = 'all';
    else this.dirty = new Set([...(this.dirty ?? []), ...sites]);
    this.reading ??= this.drain().finally(() => (this.reading = null));
  }

  private async drain(): Promise<void> {
    while (this.dirty !== null && !this.stopped) {
      const sites = this.dirty;
      this.dirty = null;
      try {
        // A page at a time, so an instance far behind holds one page in memory, not the backlog.
        for (let caughtUp = false; !caughtUp && !this.stopped;) {
          const read = await readChangesAfter(this.options.db, this.cursor, sites === 'all' ? undefined : [...sites]);
          this.cursor = read.cursor;
          caughtUp = read.caughtUp;
          for (const change of read.changes) this.emit(change);
        }
      } catch (error) {
        // Read again at the next notification, or when a lost LISTEN connection is back (it reads everything).
        this.wake(sites === 'all' ? 'all' : [...sites]);
        this.options.log.warn({ err: String(error) }, 'could not read the change feed');
        return;
      }
    }
  }

  /** Queues the change for every listener; a listener's own async work runs in order behind its earlier changes. */
  private emit(change: FeedChange): void {
    for (const [listener, queue] of this.listeners) {
      queue.tail = queue.tail
        .then(() => listener(change))
        .catch((error: unknown) => {
          this.options.log.warn({ err: String(error), position: change.position }, 'a change feed listener failed');
        });
    }
  }
}
