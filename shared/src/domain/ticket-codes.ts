import { z } from 'zod';
import { idSchema } from './ids.js';
import { localDate } from './schemas/common.js';
import { queueNameSchema } from './schemas/site.js';

/**
 * Ticket codes offline (docs/architecture.md §4.7). Each device leases, while online, a
 * block of numbers per site, queue and site-local day, and hands them out with
 * no round trip: "A-041". When its block runs out offline, it hands out
 * device-scoped codes instead: "A-K7Q-005", its own tag between the prefix and
 * a counter of its own.
 *
 * Why codes never collide:
 * - the server leases disjoint ranges per site, queue and day (`nextBlockRange`),
 *   so two devices' block codes differ in their number;
 * - a fallback code has three parts and a block code two, so they never meet;
 * - two devices' fallback codes differ in their tag. The tag is assigned by the
 *   server when the device enrols, unique among the site's devices
 *   (`deviceTagFor` turns the site's device sequence into a tag), and comes
 *   down with the device's enrolment and with every block. It is not derived
 *   from the device id: three characters hold 46,656 values, so by the
 *   birthday bound ten devices at one site share a hashed tag with a chance
 *   of about 1 in 1,000, and across a thousand clinics some site would almost
 *   surely get a pair that can collide.
 * - a device counts its own fallback codes from the codes it has already given
 *   today (`nextFallbackCounter`), so a restart does not reuse one.
 */

export const MAX_TICKET_NUMBER = 9999;

export const ticketPrefixSchema = z.string().regex(/^[A-Z]{1,2}$/, 'expected one or two capital letters');

/**
 * A device's tag in its fallback codes: a letter and two more characters,
 * leaving out I and O, which read as 1 and 0 on a screen.
 */
export const deviceTagSchema = z.string().regex(/^[A-HJ-NP-Z][0-9A-HJ-NP-Z]{2}$/, 'expected a device tag like K7Q');

/** A lease of ticket numbers for one device, site, queue and site-local day. */
export const ticketBlockSchema = z
  .object({
    id: idSchema,
    siteId: idSchema,
    deviceId: idSchema,
    /** The device's tag (see `deviceTagFor`), repeated here so a device with a block always has it. */
    deviceTag: deviceTagSchema,
    queue: queueNameSchema,
    /** The site-local day (YYYY-MM-DD) the numbers are for. */
    date: localDate,
    prefix: ticketPrefixSchema,
    /** First and last number of the lease, inclusive. */
    start: z.number().int().min(1).max(MAX_TICKET_NUMBER),
    end: z.number().int().min(1).max(MAX_TICKET_NUMBER),
    /** The number the next ticket gets; `end + 1` once the block is used up. */
    nextNumber: z
      .number()
      .int()
      .min(1)
      .max(MAX_TICKET_NUMBER + 1),
  })
  .refine((b) => b.start <= b.end, { message: 'a block must not end before it starts', path: ['end'] })
  .refine((b) => b.start <= b.nextNumber && b.nextNumber <= b.end + 1, {
    message: 'the next number must lie within the block (or just past its end)',
    path: ['nextNumber'],
  });
export type TicketBlock = z.infer<typeof ticketBlockSchema>;

/** "A-041": three digits, four from 1000 on. */
export function formatTicketCode(prefix: string, n: number): string {
  return `${checkedPrefix(prefix)}-${checkedNumber(n)}`;
}

/** "A-K7Q-005": a code only the device with this tag can give. */
export function fallbackTicketCode(prefix: string, deviceTag: string, counter: number): string {
  if (!deviceTagSchema.safeParse(deviceTag).success) throw new RangeError(`not a device tag: ${deviceTag}`);
  return `${checkedPrefix(prefix)}-${deviceTag}-${checkedNumber(counter)}`;
}

export type TakeTicketResult = { exhausted: false; code: string; block: TicketBlock } | { exhausted: true };

/** The next code of a block and the block after it, or `exhausted` when none is left. */
export function takeTicket(block: TicketBlock): TakeTicketResult {
  if (remainingTickets(block) <= 0) return { exhausted: true };
  return {
    exhausted: false,
    code: formatTicketCode(block.prefix, block.nextNumber),
    block: { ...block, nextNumber: block.nextNumber + 1 },
  };
}

export function remainingTickets(block: TicketBlock): number {
  return Math.max(0, block.end - block.nextNumber + 1);
}

/** Whether to lease the next block now, while online, before this one runs out. */
export function needsRefill(block: TicketBlock, threshold: number): boolean {
  return remainingTickets(block) <= threshold;
}

/**
 * The counter for a device's next fallback code with this prefix: one past
 * the highest it has given, found among the codes it holds for the day.
 */
export function nextFallbackCounter(codesToday: Iterable<string>, prefix: string, deviceTag: string): number {
  let highest = 0;
  for (const code of codesToday) {
    const parsed = parseTicketCode(code);
    if (parsed?.prefix === prefix && parsed.deviceTag === deviceTag) highest = Math.max(highest, parsed.number);
  }
  return highest + 1;
}

export interface IssuedTicket {
  code: string;
  /** The block after taking the code; null when the code is a fallback. */
  block: TicketBlock | null;
}

/**
 * A code for a new queue entry, offline or not: from the device's block for
 * this queue and day while it lasts, else a device-scoped fallback. `block` is
 * null when the device holds none for today (it was offline since yesterday).
 */
export function issueTicket(input: {
  block: TicketBlock | null;
  prefix: string;
  deviceTag: string;
  codesToday: Iterable<string>;
}): IssuedTicket {
  if (input.block !== null) {
    const taken = takeTicket(input.block);
    if (!taken.exhausted) return { code: taken.code, block: taken.block };
  }
  const counter = nextFallbackCounter(input.codesToday, input.prefix, input.deviceTag);
  return { code: fallbackTicketCode(input.prefix, input.deviceTag, counter), block: null };
}

export interface ParsedTicketCode {
  prefix: string;
  deviceTag: string | null;
  number: number;
}

export function parseTicketCode(code: string): ParsedTicketCode | null {
  const match = /^([A-Z]{1,2})-(?:([0-9A-Z]{3})-)?(\d{3,4})$/.exec(code);
  if (match === null) return null;
  return { prefix: match[1]!, deviceTag: match[2] ?? null, number: Number(match[3]) };
}

/**
 * The range of the next block the server leases for a site, queue and day:
 * right after every range already leased, so ranges never overlap. Null when
 * the day's numbers are used up; devices then fall back to their own codes.
 */
export function nextBlockRange(
  leased: readonly { start: number; end: number }[],
  size: number,
): { start: number; end: number } | null {
  const start = leased.reduce((max, block) => Math.max(max, block.end), 0) + 1;
  if (start > MAX_TICKET_NUMBER || size < 1) return null;
  return { start, end: Math.min(MAX_TICKET_NUMBER, start + Math.floor(size) - 1) };
}

const TAG_FIRST = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const TAG_REST = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** How many devices one site can tag: 24 × 34 × 34. */
export const DEVICE_TAG_COUNT = TAG_FIRST.length * TAG_REST.length * TAG_REST.length;

/**
 * The tag of the site's `sequence`-th enrolled device (0-based). The server
 * keeps the sequence per site, so tags are unique among a site's devices.
 */
export function deviceTagFor(sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= DEVICE_TAG_COUNT) {
    throw new RangeError(`a site can tag ${DEVICE_TAG_COUNT} devices; ${sequence} is out of range`);
  }
  const rest = TAG_REST.length;
  const third = sequence % rest;
  const second = Math.floor(sequence / rest) % rest;
  const first = Math.floor(sequence / (rest * rest));
  return `${TAG_FIRST[first]}${TAG_REST[second]}${TAG_REST[third]}`;
}

function checkedPrefix(prefix: string): string {
  if (!ticketPrefixSchema.safeParse(prefix).success) throw new RangeError(`not a ticket prefix: ${prefix}`);
  return prefix;
}

function checkedNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_TICKET_NUMBER) {
    throw new RangeError(`ticket numbers run from 1 to ${MAX_TICKET_NUMBER}; got ${n}`);
  }
  return String(n).padStart(3, '0');
}
