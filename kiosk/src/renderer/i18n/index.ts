import { de } from './de.js';
import { en, type Catalogue } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { vi } from './vi.js';
import { zh } from './zh.js';

export type { Catalogue } from './en.js';

/** One catalogue per language; add a language by adding a file and a line here. */
export const catalogues = { en, es, fr, de, vi, zh } satisfies Record<string, Catalogue>;
export type Language = keyof typeof catalogues;
export const languages = Object.keys(catalogues) as Language[];
export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: string): value is Language {
  return Object.hasOwn(catalogues, value);
}

/** The best catalogue for a BCP 47 tag ("es-MX" → es), or the default. */
export function languageFor(tag: string | null | undefined): Language {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? '';
  return isLanguage(base) ? base : DEFAULT_LANGUAGE;
}
