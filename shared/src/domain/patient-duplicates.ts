import type { Patient } from './schemas/patient.js';
import { normalizeText, phoneDigits } from './text-keys.js';

/** Why two patient records may be the same person. */
export type DuplicateReason = 'family-name-and-birth-date' | 'phone';

export interface ProbableDuplicate<P> {
  patient: P;
  reasons: DuplicateReason[];
}

type Identity = Pick<Patient, 'familyName' | 'dob' | 'phone'>;

/** What duplicate checks compare, computed once per patient. */
export interface IdentityKeys {
  family: string;
  dob: string;
  /** Null when the phone has too few digits to say anything about identity. */
  phone: string | null;
}

/**
 * Phone numbers compare by their last ten digits, so "+1 555 010 1234" and
 * "(555) 010-1234" are the same number; shorter numbers compare whole.
 */
const PHONE_DIGITS_COMPARED = 10;
/** Fewer digits than this (an extension, a number half typed) say nothing about identity. */
const MIN_PHONE_DIGITS = 7;

export function identityKeysOf(identity: Identity): IdentityKeys {
  const digits = phoneDigits(identity.phone);
  return {
    family: normalizeText(identity.familyName),
    dob: identity.dob,
    phone: digits.length < MIN_PHONE_DIGITS ? null : digits.slice(-PHONE_DIGITS_COMPARED),
  };
}

/**
 * Why two records may be one person: the same family name (accents and case
 * ignored) and birth date, or the same phone number. The server flags the
 * first after the fact (`probable-duplicate-patient`); the desk checks both
 * before saving.
 */
export function duplicateReasonsOf(a: IdentityKeys, b: IdentityKeys): DuplicateReason[] {
  const reasons: DuplicateReason[] = [];
  if (a.dob === b.dob && a.family !== '' && a.family === b.family) reasons.push('family-name-and-birth-date');
  if (a.phone !== null && a.phone === b.phone) reasons.push('phone');
  return reasons;
}

export function duplicateReasons(a: Identity, b: Identity): DuplicateReason[] {
  return duplicateReasonsOf(identityKeysOf(a), identityKeysOf(b));
}

/**
 * The records among `patients` that may be the person being registered or
 * edited (never `candidate.id` itself, never a record already merged away),
 * those with more reasons first, at most `limit`.
 */
export function findProbableDuplicates<P extends { id: string; mergedInto?: string | null }>(
  candidate: Identity & { id?: string },
  patients: Iterable<P>,
  identityOf: (patient: P) => IdentityKeys,
  limit = 10,
): ProbableDuplicate<P>[] {
  const wanted = identityKeysOf(candidate);
  const found: ProbableDuplicate<P>[] = [];
  for (const patient of patients) {
    if (patient.id === candidate.id || (patient.mergedInto ?? null) !== null) continue;
    const reasons = duplicateReasonsOf(wanted, identityOf(patient));
    if (reasons.length > 0) found.push({ patient, reasons });
  }
  found.sort((a, b) => b.reasons.length - a.reasons.length || a.patient.id.localeCompare(b.patient.id));
  return found.slice(0, limit);
}
