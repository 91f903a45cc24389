import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';
import { parseBirthDate, parsePatientQuery, PatientSearchIndex } from './patient-search.js';
import { normalizeText } from './text-keys.js';

const TODAY = new Date('2026-11-23T12:00:00Z');

function patient(fields: Partial<Parameters<PatientSearchIndex['upsert']>[0]> = {}) {
  return {
    id: newId(),
    givenName: 'María José',
    familyName: 'García Núñez',
    dob: '1988-04-14',
    mrn: 'MRN-000123',
    phone: '+1 (555) 010-1234',
    active: true,
    mergedInto: null,
    ...fields,
  };
}

function indexOf(...patients: ReturnType<typeof patient>[]) {
  const index = new PatientSearchIndex();
  for (const p of patients) index.upsert(p);
  return index;
}

const find = (index: PatientSearchIndex, query: string) => index.search(query, 20, TODAY).hits.map((h) => h.id);

describe('normalizeText', () => {
  it('drops accents, case and punctuation', () => {
    expect(normalizeText("Núñez-O'Brien")).toBe('nunez o brien');
    expect(normalizeText('Søren Straße Łukasz')).toBe('soren strasse lukasz');
  });
});

describe('parseBirthDate', () => {
  it('reads the spellings a desk types', () => {
    expect(parseBirthDate('1988-04-14')).toEqual(['1988-04-14']);
    expect(parseBirthDate('04/14/1988')).toEqual(['1988-04-14']);
    expect(parseBirthDate('14/04/1988')).toEqual(['1988-04-14']);
    expect(parseBirthDate('14.04.1988')).toEqual(['1988-04-14']);
    expect(parseBirthDate('14-04-1988')).toEqual(['1988-04-14']);
    expect(parseBirthDate('19880414')).toEqual(['1988-04-14']);
    expect(parseBirthDate('4/14/88', TODAY)).toEqual(['1988-04-14']);
    expect(parseBirthDate('1.2.07', TODAY)).toEqual(['2007-02-01']);
  });

  it('gives both dates when either part could be the month, and none for impossible dates', () => {
    expect(parseBirthDate('04/05/1988')).toEqual(['1988-04-05', '1988-05-04']);
    expect(parseBirthDate('31.02.1988')).toEqual([]);
    expect(parseBirthDate('13/13/1988')).toEqual([]);
    expect(parseBirthDate('garcia')).toEqual([]);
  });
});

describe('parsePatientQuery', () => {
  it('tells names, dates, MRNs and phone numbers apart', () => {
    expect(parsePatientQuery('garcia 14.04.1988', TODAY)).toEqual([
      { kind: 'name', prefix: 'garcia' },
      { kind: 'dob', dates: ['1988-04-14'] },
    ]);
    expect(parsePatientQuery('(555) 010-1234')).toEqual([{ kind: 'digits', digits: '5550101234' }]);
    expect(parsePatientQuery('MRN-000123')).toEqual([{ kind: 'mrn', value: 'mrn000123' }]);
    expect(parsePatientQuery('   ')).toEqual([]);
  });
});

describe('PatientSearchIndex', () => {
  const maria = patient();
  const namesake = patient({ dob: '1990-01-02', mrn: null, phone: '0171 2345678' });
  const other = patient({ givenName: 'Jonas', familyName: 'Weber', dob: '1975-11-30', mrn: 'MRN-000777', phone: null });
  const index = indexOf(maria, namesake, other);

  it('finds by name parts in any order, accents ignored, by prefix', () => {
    expect(find(index, 'nunez maria')).toEqual(expect.arrayContaining([maria.id, namesake.id]));
    expect(find(index, 'jose garc')).toHaveLength(2);
    expect(find(index, 'web jon')).toEqual([other.id]);
    expect(find(index, 'weber maria')).toEqual([]);
  });

  it('finds by birth date in several spellings, alone or with a name', () => {
    for (const query of ['1988-04-14', '04/14/1988', '14.04.1988', '14/04/1988']) {
      expect(find(index, query)).toEqual([maria.id]);
    }
    expect(find(index, 'garcia 02.01.1990')).toEqual([namesake.id]);
  });

  it('finds by MRN, whole or by its number, and by phone in any formatting', () => {
    expect(find(index, 'MRN-000123')).toEqual([maria.id]);
    expect(find(index, 'mrn 777')).toEqual([other.id]);
    expect(find(index, '777')).toEqual([other.id]);
    expect(find(index, '555-010-1234')).toEqual([maria.id]);
    expect(find(index, '5550101234')).toEqual([maria.id]);
    expect(find(index, '0171 234 5678')).toEqual([namesake.id]);
  });

  it('follows edits and removals, and never lists a merged-away record', () => {
    const local = indexOf(maria, other);
    local.upsert({ ...other, familyName: 'Wagner' });
    expect(find(local, 'weber')).toEqual([]);
    expect(find(local, 'wagner')).toEqual([other.id]);
    local.upsert({ ...maria, mergedInto: other.id });
    expect(find(local, 'garcia')).toEqual([]);
    local.remove(other.id);
    expect(local.size).toBe(0);
  });

  it('matches whatever order the name parts are typed in', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÿ]{2,10}$/);
    fc.assert(
      fc.property(word, word, fc.boolean(), (given, family, reversed) => {
        const p = patient({ givenName: given, familyName: family });
        const query = reversed ? `${given} ${family}` : `${family} ${given}`;
        return find(indexOf(p), query).includes(p.id);
      }),
    );
  });

  // How fast it answers is measured by `npm run bench` (patient search on 50k patients), not here.
  it('finds the one patient asked for among 50,000 and caps what it returns', () => {
    const big = new PatientSearchIndex();
    const families = ['García', 'Smith', 'Müller', 'Nguyen', 'Okafor', 'Kowalski', 'Rossi', 'Dubois', 'Tanaka'];
    const givens = ['Ana', 'John', 'Lena', 'Minh', 'Chidi', 'Piotr', 'Giulia', 'Émile', 'Yuki', 'Maria'];
    for (let i = 0; i < 50_000; i++) {
      big.upsert(
        patient({
          givenName: givens[i % givens.length]!,
          familyName: `${families[i % families.length]!}${i % 97 === 0 ? '' : String.fromCharCode(97 + (i % 26))}`,
          dob: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
          mrn: `MRN-${String(i).padStart(6, '0')}`,
          phone: `+1 555 ${String(i).padStart(7, '0')}`,
        }),
      );
    }
    for (const query of ['g', 'gar', 'garcia ana', 'maria', '555 000', 'x']) {
      expect(big.search(query, 50, TODAY).hits.length).toBeLessThanOrEqual(50);
    }
    const one = big.search('MRN-012345', 50, TODAY).hits;
    expect(one.map((hit) => hit.mrn)).toEqual(['MRN-012345']);
    const named = big.search('ana garcia', 50, TODAY).hits;
    expect(named.length).toBeGreaterThan(0);
    for (const hit of named) expect(`${hit.givenName} ${hit.familyName}`).toMatch(/^Ana García/);
  }, 60_000);
});
