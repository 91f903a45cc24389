import { identityKeysOf, type IdentityKeys } from './patient-duplicates.js';
import type { Patient } from './schemas/patient.js';
import { nameTokens, normalizeMrn, normalizeText, phoneDigits } from './text-keys.js';

/**
 * Finding a patient at the desk, as pure functions: what a typed query means
 * (name parts, a birth date in one of several spellings, an MRN, phone digits)
 * and whether a patient matches it. The desk keeps one compact `PatientSearchKeys`
 * per patient in memory and scans them per keystroke: a few string comparisons
 * per patient, a few milliseconds for 50,000 patients, and no database read.
 */

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A two-digit year is the most recent one not in the future: "88" → 1988, "07" → 2007 (in 2026). */
function fullYear(text: string, today: Date): number {
  const year = Number(text);
  if (text.length !== 2) return year;
  const current = today.getUTCFullYear();
  const century = Math.floor(current / 100) * 100;
  return century + year > current ? century - 100 + year : century + year;
}

/**
 * The birth dates a typed date can mean, as YYYY-MM-DD. Accepts 1988-04-14,
 * 1988/04/14, 14.04.1988 (day first, as written in Germany), 04/14/1988 and
 * 14/04/1988 (month or day first, decided by whichever part cannot be a month;
 * when both could be, as in 04/05/1988, both dates are returned, and the
 * results show each patient's birth date to tell them apart), 14-04-1988,
 * two-digit years, and 19880414. Anything else: no dates.
 */
export function parseBirthDate(text: string, today = new Date()): string[] {
  const trimmed = text.trim();
  let match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(trimmed) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  if (match) {
    const date = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    return date ? [date] : [];
  }
  match = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(trimmed);
  if (match) {
    const date = isoDate(fullYear(match[3]!, today), Number(match[2]), Number(match[1]));
    return date ? [date] : [];
  }
  match = /^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$/.exec(trimmed);
  if (match) {
    const year = fullYear(match[3]!, today);
    const first = Number(match[1]);
    const second = Number(match[2]);
    const monthFirst = isoDate(year, first, second);
    const dayFirst = isoDate(year, second, first);
    return [...new Set([monthFirst, dayFirst].filter((date): date is string => date !== null))];
  }
  return [];
}

/** One part of a query, and what it matches. */
export type SearchTerm =
  /** The start of a given or family name word, accents ignored. */
  | { kind: 'name'; prefix: string }
  /** A birth date, one of these. */
  | { kind: 'dob'; dates: string[] }
  /** Digits: part of a phone number, or the number of an MRN. */
  | { kind: 'digits'; digits: string }
  /** An MRN as printed ("MRN-000123"), letters and digits. */
  | { kind: 'mrn'; value: string };

/** Fewer digits than this match too many phone numbers to be useful. */
const MIN_PHONE_DIGITS = 3;

/**
 * Reads a query: the whole of it as a birth date or phone number first (those
 * contain spaces and punctuation), else word by word, so "garcia 1988-04-14"
 * finds the Garcia born that day.
 */
export function parsePatientQuery(query: string, today = new Date()): SearchTerm[] {
  const trimmed = query.trim();
  if (trimmed === '') return [];
  const dates = parseBirthDate(trimmed, today);
  if (dates.length > 0) return [{ kind: 'dob', dates }];
  if (/^\+?[\d\s().-]+$/.test(trimmed)) {
    const digits = phoneDigits(trimmed);
    if (digits.length >= MIN_PHONE_DIGITS && digits.length <= 20) return [{ kind: 'digits', digits }];
  }
  const terms: SearchTerm[] = [];
  for (const word of trimmed.split(/[\s,;]+/)) {
    if (word === '') continue;
    const wordDates = parseBirthDate(word, today);
    if (wordDates.length > 0) {
      terms.push({ kind: 'dob', dates: wordDates });
    } else if (/^mrn[-\s]?\w*$/i.test(word) || /^[a-z]{1,4}-?\d+$/i.test(word)) {
      terms.push({ kind: 'mrn', value: normalizeMrn(word) });
    } else if (/^\d+$/.test(word)) {
      terms.push({ kind: 'digits', digits: word });
    } else {
      for (const prefix of nameTokens(word)) terms.push({ kind: 'name', prefix });
    }
  }
  return terms;
}

/** What the search keeps per patient: matching keys plus what a result line shows. */
export interface PatientSearchKeys {
  id: string;
  givenName: string;
  familyName: string;
  dob: string;
  mrn: string | null;
  phone: string | null;
  active: boolean;
  /** Normalised words of the family name, then of the given name. */
  familyTokens: string[];
  givenTokens: string[];
  mrnKey: string;
  /** The MRN's digits without leading zeros, so "123" finds "MRN-000123". */
  mrnNumber: string;
  phoneDigits: string;
  /** Orders namesakes by plain comparison: normalised family, given name, birth date, id. */
  sortKey: string;
  /** What probable-duplicate checks compare. */
  identity: IdentityKeys;
}

export function searchKeysOf(
  patient: Pick<Patient, 'id' | 'givenName' | 'familyName' | 'dob' | 'mrn' | 'phone' | 'active'>,
): PatientSearchKeys {
  return {
    id: patient.id,
    givenName: patient.givenName,
    familyName: patient.familyName,
    dob: patient.dob,
    mrn: patient.mrn,
    phone: patient.phone,
    active: patient.active,
    familyTokens: nameTokens(patient.familyName),
    givenTokens: nameTokens(patient.givenName),
    mrnKey: patient.mrn === null ? '' : normalizeMrn(patient.mrn),
    mrnNumber: patient.mrn === null ? '' : phoneDigits(patient.mrn).replace(/^0+(?=\d)/, ''),
    phoneDigits: phoneDigits(patient.phone),
    identity: identityKeysOf(patient),
    sortKey: [normalizeText(patient.familyName), normalizeText(patient.givenName), patient.dob, patient.id].join(
      '\u0000',
    ),
  };
}

/**
 * How well a patient matches every term, or null when some term does not match.
 * Higher is better: whole words over prefixes, the family name over the given
 * name, an exact MRN over a partial phone number.
 */
export function matchScore(keys: PatientSearchKeys, terms: readonly SearchTerm[]): number | null {
  if (terms.length === 0) return null;
  let score = 0;
  // Each name term must match a different word: "ana ana" finds "Ana Ana", not every Ana.
  let used = 0;
  for (const term of terms) {
    switch (term.kind) {
      case 'name': {
        const found = matchNameWord(keys, term.prefix, used);
        if (found === null) return null;
        used |= 1 << found.index;
        score += found.score;
        break;
      }
      case 'dob':
        if (!term.dates.includes(keys.dob)) return null;
        score += 50;
        break;
      case 'mrn':
        if (keys.mrnKey === '' || !keys.mrnKey.startsWith(term.value)) return null;
        score += keys.mrnKey === term.value ? 100 : 40;
        break;
      case 'digits': {
        const digits = term.digits;
        const number = digits.replace(/^0+(?=\d)/, '');
        if (keys.mrnNumber !== '' && keys.mrnNumber === number) score += 100;
        else if (keys.phoneDigits.endsWith(digits) || keys.phoneDigits.includes(digits)) score += 30;
        else if (keys.mrnNumber !== '' && keys.mrnNumber.startsWith(number)) score += 20;
        else return null;
        break;
      }
    }
  }
  return score;
}

function matchNameWord(keys: PatientSearchKeys, prefix: string, used: number): { index: number; score: number } | null {
  let best: { index: number; score: number } | null = null;
  const words = keys.familyTokens.length + keys.givenTokens.length;
  for (let index = 0; index < words && index < 31; index++) {
    if (used & (1 << index)) continue;
    const isFamily = index < keys.familyTokens.length;
    const word = isFamily ? keys.familyTokens[index]! : keys.givenTokens[index - keys.familyTokens.length]!;
    if (!word.startsWith(prefix)) continue;
    const score = (word.length === prefix.length ? 20 : 10) + (isFamily ? 2 : 0);
    if (best === null || score > best.score) best = { index, score };
  }
  return best;
}

/** Better match first; equal matches in the order the desk lists patients: family, given name, birth date. */
function ranksBefore(a: { keys: PatientSearchKeys; score: number }, b: { keys: PatientSearchKeys; score: number }) {
  return a.score > b.score || (a.score === b.score && a.keys.sortKey < b.keys.sortKey);
}

export interface PatientSearchResult {
  /** The best matches first, at most the limit asked for. */
  hits: PatientSearchKeys[];
  /** How many patients matched in all. */
  total: number;
}

/**
 * Patients held in memory for search: `upsert` and `remove` follow the replica,
 * `search` scans the compact keys. Merged-away records are never listed; an
 * inactive patient is, so the desk can see and reactivate them.
 */
export class PatientSearchIndex {
  private readonly entries: PatientSearchKeys[] = [];
  private readonly positions = new Map<string, number>();

  get size(): number {
    return this.entries.length;
  }

  /** Every patient held, in no particular order. */
  all(): readonly PatientSearchKeys[] {
    return this.entries;
  }

  get(id: string): PatientSearchKeys | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.entries[position];
  }

  upsert(
    patient: Pick<Patient, 'id' | 'givenName' | 'familyName' | 'dob' | 'mrn' | 'phone' | 'active' | 'mergedInto'>,
  ) {
    if (patient.mergedInto !== null) {
      this.remove(patient.id);
      return;
    }
    const keys = searchKeysOf(patient);
    const position = this.positions.get(patient.id);
    if (position === undefined) {
      this.positions.set(patient.id, this.entries.length);
      this.entries.push(keys);
    } else {
      this.entries[position] = keys;
    }
  }

  remove(id: string) {
    const position = this.positions.get(id);
    if (position === undefined) return;
    const last = this.entries.pop()!;
    this.positions.delete(id);
    if (last.id !== id) {
      this.entries[position] = last;
      this.positions.set(last.id, position);
    }
  }

  search(query: string, limit: number, today = new Date()): PatientSearchResult {
    const terms = parsePatientQuery(query, today);
    if (terms.length === 0 || limit <= 0) return { hits: [], total: 0 };
    // The best `limit` matches, kept sorted as the scan goes: no sort of thousands of hits for "a".
    const best: { keys: PatientSearchKeys; score: number }[] = [];
    let total = 0;
    for (const keys of this.entries) {
      const score = matchScore(keys, terms);
      if (score === null) continue;
      total++;
      const hit = { keys, score: score + (keys.active ? 1 : 0) };
      if (best.length === limit && !ranksBefore(hit, best[limit - 1]!)) continue;
      let low = 0;
      let high = best.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (ranksBefore(best[middle]!, hit)) low = middle + 1;
        else high = middle;
      }
      best.splice(low, 0, hit);
      if (best.length > limit) best.pop();
    }
    return { hits: best.map((entry) => entry.keys), total };
  }
}
