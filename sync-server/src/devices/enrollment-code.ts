import { createHash, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a code read aloud or typed from a sticky note comes out right. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const GROUPS = 3;
const GROUP_LENGTH = 3;

/** Enrollment codes work once and for a day. */
export const ENROLLMENT_CODE_SECONDS = 24 * 3600;

/** A short human code like "7KQ-4MZ-P2D": 9 symbols of 31, about 44 bits. */
export function newEnrollmentCode(): string {
  const groups = Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

/** The code as typed ("7kq 4mz p2d", "7KQ4MZP2D") in its canonical form, or null when it cannot be one. */
export function normalizeEnrollmentCode(input: string): string | null {
  const symbols = input.toUpperCase().replace(/[\s-]/g, '');
  if (symbols.length !== GROUPS * GROUP_LENGTH || [...symbols].some((c) => !ALPHABET.includes(c))) return null;
  return symbols;
}

/** Codes are stored as SHA-256 of the canonical form; a fast hash suffices for a one-day, one-time, rate-limited code. */
export function hashEnrollmentCode(normalized: string): Buffer {
  return createHash('sha256').update(`medisync-enrollment:${normalized}`, 'utf8').digest();
}
