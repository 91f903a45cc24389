import { z } from 'zod';

/**
 * Hybrid logical clock timestamps, encoded as fixed-width strings so that plain
 * string comparison orders them: `<wall ms, 15 digits>:<counter, 6 digits>:<node>`.
 *
 * The node id breaks ties between devices, so two different writes never carry
 * the same timestamp and last-writer-wins is deterministic on every replica.
 */
export type Hlc = string;

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;

export const hlcSchema = z
  .string()
  .regex(/^\d{15}:\d{6}:[A-Za-z0-9-]{1,64}$/, 'expected a hybrid logical clock timestamp');

export interface HlcParts {
  wall: number;
  counter: number;
  node: string;
}

export function encodeHlc({ wall, counter, node }: HlcParts): Hlc {
  return `${String(wall).padStart(WALL_DIGITS, '0')}:${String(counter).padStart(COUNTER_DIGITS, '0')}:${node}`;
}

export function decodeHlc(hlc: Hlc): HlcParts {
  const [wall, counter, ...node] = hlc.split(':');
  return { wall: Number(wall), counter: Number(counter), node: node.join(':') };
}

export function maxHlc(a: Hlc | undefined, b: Hlc | undefined): Hlc | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** The wall-clock time an HLC timestamp was taken at, as ISO-8601 UTC. */
export function hlcToIso(hlc: Hlc): string {
  return new Date(decodeHlc(hlc).wall).toISOString();
}

/**
 * One clock per device (or server process). `now` is injected so that tests and
 * simulations can drive time; it defaults to the wall clock.
 */
export class HybridClock {
  private wall = 0;
  private counter = 0;

  constructor(
    readonly node: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(node)) throw new Error(`invalid HLC node id: ${node}`);
  }

  /** A timestamp for a local event, later than every timestamp seen so far. */
  tick(): Hlc {
    const physical = this.now();
    if (physical > this.wall) {
      this.wall = physical;
      this.counter = 0;
    } else {
      this.advanceCounter();
    }
    return encodeHlc({ wall: this.wall, counter: this.counter, node: this.node });
  }

  /**
   * A timestamp for a local write that must supersede `previous` (the clock of
   * the value being overwritten), even when this device's wall clock is behind
   * the device that wrote it.
   */
  tickAfter(previous: Hlc | undefined): Hlc {
    if (previous !== undefined) this.observe(previous);
    return this.tick();
  }

  /** Folds a remote timestamp into this clock so later local ticks follow it. */
  observe(remote: Hlc): void {
    const { wall, counter } = decodeHlc(remote);
    if (wall > this.wall || (wall === this.wall && counter > this.counter)) {
      this.wall = wall;
      this.counter = counter;
    }
  }

  private advanceCounter(): void {
    if (this.counter >= MAX_COUNTER) {
      // Over a million events in one millisecond: borrow the next millisecond.
      this.wall += 1;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
  }
}
