import { z } from 'zod';
import { sha256Hex } from './sha256.js';

/**
 * Appointment codes: the short code in a reminder that checks a patient in at
 * the kiosk on the day of the appointment (docs/architecture.md §9.6).
 *
 * A code is nine symbols of Crockford's base-32 alphabet, shown as `K7Q-4MZ-P2D`:
 * the first names the day of the month it is valid on, the other eight are
 * 40 bits the server derives from its secret, the appointment and that date
 * (sync-server/src/reminders/codes.ts), so the same appointment on the same
 * day always has the same code and nothing has to store it.
 *
 * A device never holds a code, only its hash under the site and the date, on
 * the appointment (`checkInCodeHash`); the kiosk hashes what the patient types
 * with today's date and looks for that hash among today's appointments. A code
 * for another day therefore never matches, and its first symbol lets the kiosk
 * say so rather than "not found". Guessing is what the kiosk's lockout is for
 * (kiosk-lockout.ts): 2^40 codes against a hundred appointments a day.
 */

/** Crockford's base 32: no I, L, O or U, so a code read aloud or typed is not misread. */
export const APPOINTMENT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const APPOINTMENT_CODE_LENGTH = 9;
/** Bytes of keyed hash a code's random part is made of (8 symbols × 5 bits). */
export const APPOINTMENT_CODE_RANDOM_BYTES = 5;

export const appointmentCodeHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 code hash');

/**
 * The code for an appointment on a site-local `date`, from five bytes the
 * server derived (a keyed hash: the code cannot be guessed from the appointment).
 */
export function formatAppointmentCode(date: string, bytes: Uint8Array): string {
  if (bytes.length < APPOINTMENT_CODE_RANDOM_BYTES) throw new RangeError('an appointment code needs 5 bytes');
  let bits = 0n;
  for (let i = 0; i < APPOINTMENT_CODE_RANDOM_BYTES; i++) bits = (bits << 8n) | BigInt(bytes[i]!);
  let random = '';
  for (let i = 7; i >= 0; i--) random += APPOINTMENT_CODE_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  const symbols = dayMark(date) + random;
  return `${symbols.slice(0, 3)}-${symbols.slice(3, 6)}-${symbols.slice(6)}`;
}

/**
 * What a patient typed, as the nine symbols of a code, or null when it cannot
 * be one. Case, spaces and dashes do not matter; O reads as 0 and I or L as 1,
 * as Crockford's alphabet intends.
 */
export function normalizeAppointmentCode(input: string): string | null {
  const symbols = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (symbols.length !== APPOINTMENT_CODE_LENGTH) return null;
  for (const symbol of symbols) if (!APPOINTMENT_CODE_ALPHABET.includes(symbol)) return null;
  return symbols;
}

/** The hash a device holds for a code: bound to the site and the date, so it matches nowhere else. */
export function appointmentCodeHash(siteId: string, date: string, code: string): string {
  const symbols = normalizeAppointmentCode(code);
  if (symbols === null) throw new RangeError('not an appointment code');
  return sha256Hex(`medisync:appointment-code:v1:${siteId}:${date}:${symbols}`);
}

export type AppointmentCodeCheck =
  | { ok: true; hash: string }
  /** `malformed`: not a code at all (a typo); `other-day`: a real code, for another date. */
  | { ok: false; reason: 'malformed' | 'other-day' };

/** Reads a typed code at a site on its local `today`: the hash to look for, or why there is none. */
export function checkAppointmentCode(input: string, siteId: string, today: string): AppointmentCodeCheck {
  const symbols = normalizeAppointmentCode(input);
  if (symbols === null) return { ok: false, reason: 'malformed' };
  if (symbols[0] !== dayMark(today)) return { ok: false, reason: 'other-day' };
  return { ok: true, hash: appointmentCodeHash(siteId, today, symbols) };
}

/** The symbol for a date's day of the month (1 to 31, all distinct in the alphabet). */
function dayMark(date: string): string {
  const day = Number(date.slice(8, 10));
  if (!(day >= 1 && day <= 31)) throw new RangeError(`not a local date: ${date}`);
  return APPOINTMENT_CODE_ALPHABET[day]!;
}
