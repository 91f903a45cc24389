import { createRecord, HybridClock, newId, type NewRecord, type Patient } from '../index.js';

/** A patient as a desk registers one, for tests of a device's replica; `overrides` sets the fields a test is about. */
export function testPatient(siteId: string, overrides: Partial<NewRecord<'patients'>> = {}): Patient {
  return createRecord(
    'patients',
    {
      id: newId(),
      siteId,
      mrn: null,
      givenName: 'Rosa',
      familyName: 'Lindqvist',
      dob: '1971-05-09',
      sex: 'female',
      phone: null,
      email: null,
      address: null,
      preferredLanguage: 'en',
      insurance: null,
      active: true,
      mergedInto: null,
      ...overrides,
    },
    new HybridClock('desk-1'),
    { id: 'desk-1', role: 'desk', source: 'desk' },
  );
}
