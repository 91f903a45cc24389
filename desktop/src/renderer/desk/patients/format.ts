import type { Patient } from '@medisync/shared/domain';

const birthDateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** Whole years between a birth date and a day, both YYYY-MM-DD. */
export function ageOn(dob: string, date: string): number {
  const [by, bm, bd] = dob.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** "14 Apr 1988": a birth date no reader can take the wrong way round. */
export function formatBirthDate(dob: string): string {
  return birthDateFormat.format(new Date(`${dob}T12:00:00Z`));
}

/** "14 Apr 1988 (38)": how a result line and a patient page show a birth date. */
export function birthDateWithAge(dob: string, today: string): string {
  const age = ageOn(dob, today);
  return age >= 0 ? `${formatBirthDate(dob)} (${age})` : formatBirthDate(dob);
}

export const sexLabels: Record<Patient['sex'], string> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Not known',
};

/** Languages offered first when registering; any BCP 47 tag already on a record is shown too. */
export const commonLanguages = ['en', 'es', 'fr', 'de', 'it', 'pt', 'pl', 'tr', 'ar', 'ru', 'uk', 'zh', 'vi', 'ko'];

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "es" → "Spanish". */
export function languageName(tag: string): string {
  try {
    return languageNames.of(tag) ?? tag;
  } catch {
    return tag;
  }
}
