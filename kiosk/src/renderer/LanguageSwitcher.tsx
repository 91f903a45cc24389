import { catalogues, languages, type Language } from './i18n/index.js';

/** Each language is offered in its own words and marked with its `lang`, so screen readers pronounce it right. */
export function LanguageSwitcher({
  language,
  onChange,
  label,
}: {
  language: Language;
  onChange: (language: Language) => void;
  label: string;
}) {
  return (
    <nav className="languages" aria-label={label}>
      <ul>
        {languages.map((code) => (
          <li key={code}>
            <button
              type="button"
              className="touch touch--language"
              lang={code}
              aria-pressed={code === language}
              onClick={() => onChange(code)}
            >
              {catalogues[code].languageName}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
