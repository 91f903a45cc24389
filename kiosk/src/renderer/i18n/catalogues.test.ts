import { describe, expect, it } from 'vitest';
import { catalogues, languages } from './index.js';

describe('wait wording in every language', () => {
  it.each(languages)('%s never tells a patient to wait "0 minutes", on the ticket or on the display', (language) => {
    const t = catalogues[language];
    // Nobody ahead gives an estimate of 0; quick calls give a typical wait that rounds to 0.
    expect(t.waitEstimate(0)).not.toMatch(/\b0\b/);
    expect(t.displayTypicalWait(0)).not.toMatch(/\b0\b/);
    expect(t.waitEstimate(12)).toContain('12');
    expect(t.displayTypicalWait(12)).toContain('12');
  });

  it('says one minute in the singular where the language has one', () => {
    expect(catalogues.en.waitEstimate(1)).toBe('Estimated wait: about 1 minute');
    expect(catalogues.en.waitEstimate(2)).toBe('Estimated wait: about 2 minutes');
    expect(catalogues.es.waitEstimate(1)).not.toContain('minutos');
    expect(catalogues.fr.waitEstimate(1)).not.toContain('minutes');
    expect(catalogues.de.waitEstimate(1)).not.toContain('Minuten');
  });
});
