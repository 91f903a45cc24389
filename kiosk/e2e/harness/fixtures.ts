/** Patients booked today in the harness; the display test checks none of their names ever shows. */
export const SITE_ID = '01900000-0000-7000-8000-000000000001';

export const harnessPatients = [
  {
    id: '01900000-0000-7000-8000-0000000000a1',
    appointmentId: '01900000-0000-7000-8000-0000000000b1',
    givenName: 'María',
    familyName: 'García-Núñez',
    dob: '1980-04-02',
    start: '2026-03-02T09:30:00.000Z',
    provider: 'Dr. Amara Okafor',
  },
  {
    id: '01900000-0000-7000-8000-0000000000a2',
    appointmentId: '01900000-0000-7000-8000-0000000000b2',
    givenName: 'Thanh',
    familyName: 'Nguyen',
    dob: '1955-11-20',
    start: '2026-03-02T10:00:00.000Z',
    provider: 'Dr. Lars Eriksen',
  },
] as const;
