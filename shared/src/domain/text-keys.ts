/** Comparable forms of what people type: names without accents, phone digits, MRNs. */

/** Letters that Unicode does not decompose into a base letter and a mark. */
const FOLDED: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Lower case, accents and punctuation gone: "Núñez-O'Brien" → "nunez o brien". */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => FOLDED[letter] ?? letter)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a name as the search compares them. */
export function nameTokens(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Only the digits: "+1 (555) 010-1234" → "15550101234". */
export function phoneDigits(phone: string | null): string {
  return phone === null ? '' : phone.replace(/\D+/g, '');
}

/** "MRN-000123" and "mrn 123" → "mrn000123" / "mrn123": letters and digits, lower case. */
export function normalizeMrn(mrn: string): string {
  return mrn.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
