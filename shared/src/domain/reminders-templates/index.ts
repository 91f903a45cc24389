import { de } from './de.js';
import { en, type ReminderCatalogue } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { vi } from './vi.js';
import { zh } from './zh.js';

export type { ReminderCatalogue } from './en.js';

/** One catalogue per language, the kiosk's languages; add one by adding a file and a line here. */
export const reminderCatalogues = { en, es, fr, de, vi, zh } satisfies Record<string, ReminderCatalogue>;
export type ReminderLanguage = keyof typeof reminderCatalogues;

/** The catalogue for a patient's BCP 47 language ("es-MX" → es), English when there is none. */
export function reminderLanguageFor(tag: string | null | undefined): ReminderLanguage {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? '';
  return Object.hasOwn(reminderCatalogues, base) ? (base as ReminderLanguage) : 'en';
}

/** An appointment's date and time as the patient reads it, in the site's zone: "Tuesday, March 3, 2026 at 10:30 AM". */
export function formatAppointmentTime(start: string, timeZone: string, language: ReminderLanguage): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(new Date(start));
}
