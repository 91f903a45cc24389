import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticketCodeSchema } from './schemas/queue-entry.js';
import {
  DEVICE_TAG_COUNT,
  deviceTagFor,
  deviceTagSchema,
  fallbackTicketCode,
  formatTicketCode,
  issueTicket,
  needsRefill,
  nextBlockRange,
  nextFallbackCounter,
  parseTicketCode,
  takeTicket,
  ticketBlockSchema,
  type TicketBlock,
} from './ticket-codes.js';

const SITE = '0190a000-0000-7000-8000-000000000001';
const deviceId = (n: number) => `0190a000-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`;

function lease(device: number, range: { start: number; end: number }, tag = deviceTagFor(device)): TicketBlock {
  return ticketBlockSchema.parse({
    id: `0190a000-0000-7000-8000-0000000002${String(device).padStart(2, '0')}`,
    siteId: SITE,
    deviceId: deviceId(device),
    deviceTag: tag,
    queue: 'reception',
    date: '2026-11-23',
    prefix: 'A',
    start: range.start,
    end: range.end,
    nextNumber: range.start,
  });
}

describe('ticket codes', () => {
  it('are short: three digits, four from 1000 on', () => {
    expect(formatTicketCode('A', 41)).toBe('A-041');
    expect(formatTicketCode('LB', 999)).toBe('LB-999');
    expect(formatTicketCode('A', 1000)).toBe('A-1000');
    expect(formatTicketCode('A', 9999)).toBe('A-9999');
    expect(() => formatTicketCode('A', 0)).toThrow(RangeError);
    expect(() => formatTicketCode('A', 10_000)).toThrow(RangeError);
    expect(() => formatTicketCode('a', 1)).toThrow(RangeError);
  });

  it('fall back to a device-scoped code of three parts', () => {
    expect(fallbackTicketCode('A', 'K7Q', 5)).toBe('A-K7Q-005');
    expect(() => fallbackTicketCode('A', 'k7q', 5)).toThrow(RangeError);
    expect(parseTicketCode('A-K7Q-005')).toEqual({ prefix: 'A', deviceTag: 'K7Q', number: 5 });
    expect(parseTicketCode('A-041')).toEqual({ prefix: 'A', deviceTag: null, number: 41 });
    expect(parseTicketCode('nonsense')).toBeNull();
  });

  it('always match the queue entry schema', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('A', 'L', 'XR'),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: DEVICE_TAG_COUNT - 1 }),
        (prefix, n, sequence) => {
          expect(ticketCodeSchema.safeParse(formatTicketCode(prefix, n)).success).toBe(true);
          expect(ticketCodeSchema.safeParse(fallbackTicketCode(prefix, deviceTagFor(sequence), n)).success).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('leased blocks', () => {
  it('hand out their numbers in order, then say they are exhausted', () => {
    let block = lease(1, { start: 41, end: 43 });
    const codes: string[] = [];
    for (;;) {
      const taken = takeTicket(block);
      if (taken.exhausted) break;
      codes.push(taken.code);
      block = taken.block;
    }
    expect(codes).toEqual(['A-041', 'A-042', 'A-043']);
    expect(ticketBlockSchema.safeParse(block).success).toBe(true);
  });

  it('ask for a refill while enough numbers are left', () => {
    const block = { ...lease(1, { start: 1, end: 100 }), nextNumber: 80 };
    expect(needsRefill(block, 20)).toBe(false);
    expect(needsRefill({ ...block, nextNumber: 81 }, 20)).toBe(true);
    expect(needsRefill({ ...block, nextNumber: 101 }, 0)).toBe(true);
  });

  it('are leased back to back and never overlap, up to the last number of the day', () => {
    expect(nextBlockRange([], 100)).toEqual({ start: 1, end: 100 });
    expect(
      nextBlockRange(
        [
          { start: 1, end: 100 },
          { start: 101, end: 150 },
        ],
        100,
      ),
    ).toEqual({ start: 151, end: 250 });
    expect(nextBlockRange([{ start: 1, end: 9950 }], 100)).toEqual({ start: 9951, end: 9999 });
    expect(nextBlockRange([{ start: 1, end: 9999 }], 100)).toBeNull();
  });

  it('reject a block whose next number lies outside it', () => {
    const block = lease(1, { start: 1, end: 100 });
    expect(ticketBlockSchema.safeParse({ ...block, nextNumber: 102 }).success).toBe(false);
    expect(ticketBlockSchema.safeParse({ ...block, start: 50, end: 40, nextNumber: 50 }).success).toBe(false);
  });
});

describe('device tags', () => {
  it('are unique for every device a site can enrol, and readable', () => {
    const tags = new Set<string>();
    for (let i = 0; i < DEVICE_TAG_COUNT; i += 1) tags.add(deviceTagFor(i));
    expect(tags.size).toBe(DEVICE_TAG_COUNT);
    for (const tag of [...tags].slice(0, 2000)) expect(deviceTagSchema.safeParse(tag).success).toBe(true);
    expect([...tags].some((tag) => /[IO]/.test(tag))).toBe(false);
    expect(() => deviceTagFor(DEVICE_TAG_COUNT)).toThrow(RangeError);
  });
});

describe('a whole offline day', () => {
  /** Each device checks patients in all day with no network, from its block and then its own codes. */
  function offlineDay(blocks: (TicketBlock | null)[], demand: number[]): string[][] {
    return blocks.map((initial, device) => {
      let block = initial;
      const codes: string[] = [];
      for (let i = 0; i < demand[device]!; i += 1) {
        const issued = issueTicket({ block, prefix: 'A', deviceTag: deviceTagFor(device), codesToday: codes });
        codes.push(issued.code);
        block = issued.block ?? block;
      }
      return codes;
    });
  }

  it('gives three devices with blocks of 100 three hundred distinct codes', () => {
    const blocks = [0, 1, 2].map((d) => lease(d, { start: d * 100 + 1, end: d * 100 + 100 }));
    const codes = offlineDay(blocks, [100, 100, 100]).flat();
    expect(new Set(codes).size).toBe(300);
    expect(codes.every((code) => /^A-\d{3}$/.test(code))).toBe(true);
  });

  it('stays distinct when a busy device runs out and falls back to its own codes', () => {
    const blocks = [0, 1, 2].map((d) => lease(d, { start: d * 100 + 1, end: d * 100 + 100 }));
    const [quiet, busy, normal] = offlineDay(blocks, [40, 160, 100]);
    const all = [...quiet!, ...busy!, ...normal!];
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    expect(busy!.slice(100, 103)).toEqual(['A-A01-001', 'A-A01-002', 'A-A01-003']);
    expect(all.every((code) => ticketCodeSchema.safeParse(code).success)).toBe(true);
  });

  it('stays distinct for a device that has no block for today at all', () => {
    const [withBlock, withoutBlock] = offlineDay([lease(0, { start: 1, end: 100 }), null], [100, 100]);
    expect(new Set([...withBlock!, ...withoutBlock!]).size).toBe(200);
    expect(withoutBlock![0]).toBe('A-A01-001');
  });

  it('resumes its fallback counter after a restart from the codes it already gave', () => {
    expect(nextFallbackCounter(['A-A01-001', 'A-A01-007', 'A-A02-050', 'L-A01-020', 'A-041'], 'A', 'A01')).toBe(8);
    expect(nextFallbackCounter([], 'A', 'A01')).toBe(1);
  });

  it('never collides, whatever the leases and the demand', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.integer({ min: 0, max: 60 }), demand: fc.integer({ min: 0, max: 120 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        (devices) => {
          const leased: { start: number; end: number }[] = [];
          const blocks = devices.map(({ size }, d) => {
            const range = nextBlockRange(leased, size);
            if (range === null) return null;
            leased.push(range);
            return lease(d, range);
          });
          const codes = offlineDay(
            blocks,
            devices.map((d) => d.demand),
          ).flat();
          expect(new Set(codes).size).toBe(codes.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
