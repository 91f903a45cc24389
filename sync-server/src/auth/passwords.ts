import { hash, verify } from '@node-rs/argon2';

/**
 * Staff passwords, hashed with argon2id (the library's default algorithm, with
 * OWASP's recommended cost: 19 MiB, two passes).
 */
export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummyHash: Promise<string> | undefined;

/**
 * Whether `password` matches `stored`. With no stored hash (unknown email) it
 * still runs one argon2 verification, so a response's timing does not tell
 * which emails have accounts.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hash('not a real password, only a timing equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
