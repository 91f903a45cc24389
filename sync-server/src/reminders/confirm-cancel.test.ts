import {
  addDays,
  addToWaitlist,
  createRecord,
  HybridClock,
  localDateAt,
  newId,
  zonedTimeToUtc,
  type Actor,
  type Appointment,
  type Notice,
} from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api } from '#auth/testing';
import { serverRules } from '#sync/rules';
import { writeRecords } from '#sync/store';
import { eventually, newAppointment, newPatient, seedSite } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { reminderKeys } from './codes.js';
import { signAppointmentLink } from './links.js';

const clock = new HybridClock('confirm-cancel-test');
const desk: Actor = { id: 'confirm-cancel-test', role: 'server', source: 'server' };
const ZONE = 'America/New_York';

async function notices(server: TestServer, kind: Notice['kind']): Promise<Notice[]> {
  const rows = await server.db.query<{ doc: Notice }>(`SELECT doc FROM notices WHERE doc->>'kind' = $1`, [kind]);
  return rows.map((r) => r.doc);
}

describe('the confirm and cancel page of a reminder (no sign-in), and what the desk hears of', () => {
  let server: TestServer;
  let site: { id: string };
  let providerId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const seeded = await seedSite(server.db, 'Riverside Family Clinic', ZONE);
    site = seeded.site;
    providerId = seeded.provider.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Tomorrow at 10:00 at the site: the same whatever the hour the test runs. */
  const tomorrowAt = (time: string) => zonedTimeToUtc(addDays(localDateAt(new Date(), ZONE), 1), time, ZONE);

  it('shows only the time and the provider; confirm is recorded; cancel frees the slot and offers it to the waitlist', async () => {
    const patient = createRecord(
      'patients',
      newPatient(site.id, { givenName: 'Rosa', familyName: 'Delgado' }),
      clock,
      desk,
    );
    const waiting = createRecord('patients', newPatient(site.id, { givenName: 'Wen', familyName: 'Li' }), clock, desk);
    const appointment = createRecord(
      'appointments',
      { ...newAppointment(site.id, patient.id, providerId, tomorrowAt('10:00')), notes: 'knee pain' },
      clock,
      desk,
    );
    const tomorrow = addDays(localDateAt(new Date(), ZONE), 1);
    const waitlisted = addToWaitlist(
      {
        siteId: site.id,
        patientId: waiting.id,
        providerId,
        visitType: appointment.visitType,
        fromDate: tomorrow,
        toDate: addDays(tomorrow, 2),
        timeZone: ZONE,
      },
      clock,
      desk,
    );
    await writeRecords(server.db, 'patients', [patient, waiting]);
    await writeRecords(server.db, 'appointments', [appointment, waitlisted]);
    const link = await signAppointmentLink(reminderKeys(server.config.tokenSecret!), appointment, 'en');

    const page = await fetch(`${server.url}/r/${link}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Dr. Test');
    expect(html).toMatch(/10:00\s?AM/);
    for (const secret of ['Rosa', 'Delgado', 'knee', 'follow-up', patient.id]) expect(html).not.toContain(secret);

    const confirmed = await fetch(`${server.url}/r/${link}/confirm`, { method: 'POST' });
    expect(await confirmed.text()).toContain('your appointment is confirmed');
    const [afterConfirm] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      appointment.id,
    ]);
    expect(afterConfirm!.doc.reminderConfirmedAt).toEqual(expect.any(String));
    expect(await notices(server, 'patient-confirmed')).toMatchObject([{ appointmentId: appointment.id, readAt: null }]);

    const cancelled = await fetch(`${server.url}/r/${link}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.text()).toContain('Your appointment is cancelled');
    const [afterCancel] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
      appointment.id,
    ]);
    expect(afterCancel!.doc.status).toBe('cancelled');
    expect(await notices(server, 'patient-cancelled')).toMatchObject([{ appointmentId: appointment.id }]);
    expect(await notices(server, 'waitlist-offer')).toMatchObject([
      {
        appointmentId: appointment.id,
        patientId: waiting.id,
        offer: { waitlistEntryId: waitlisted.id, providerId, start: appointment.start, end: appointment.end },
      },
    ]);

    // A second cancel, a forged link and a GET by a mail scanner change nothing.
    expect((await fetch(`${server.url}/r/${link}/cancel`, { method: 'POST' })).status).toBe(409);
    const forged = `${link.slice(0, -4)}AAAA`;
    expect((await fetch(`${server.url}/r/${forged}/cancel`, { method: 'POST' })).status).toBe(410);
    expect(await notices(server, 'patient-cancelled')).toHaveLength(1);
  });

  it('tells the desk of a booking made online through the API, once', async () => {
    const key = await apiClientKey(server.db, site.id);
    const patient = createRecord('patients', newPatient(site.id), clock, desk);
    await writeRecords(server.db, 'patients', [patient]);
    const booked = await api<{ id: string }>(server.url, '/api/v1/appointments', {
      token: key,
      body: { patientId: patient.id, providerId, start: tomorrowAt('16:00').toISOString(), visitType: 'check-up' },
    });
    expect(booked.status).toBe(201);
    await eventually(async () =>
      expect(await notices(server, 'online-booking')).toMatchObject([
        { appointmentId: booked.body.id, patientId: patient.id, readAt: null },
      ]),
    );
  });

  it('tells the desk of an attention flag raised anywhere, once, from the committed-change feed', async () => {
    const patient = createRecord('patients', newPatient(site.id), clock, desk);
    await writeRecords(server.db, 'patients', [patient]);
    const first = createRecord(
      'appointments',
      newAppointment(site.id, patient.id, providerId, tomorrowAt('14:00')),
      clock,
      desk,
    );
    const second = createRecord(
      'appointments',
      { ...newAppointment(site.id, patient.id, providerId, tomorrowAt('14:10')), id: newId() },
      clock,
      desk,
    );
    await writeRecords(server.db, 'appointments', [first], { rules: serverRules });
    await writeRecords(server.db, 'appointments', [second], { rules: serverRules });
    await eventually(async () =>
      expect((await notices(server, 'attention')).filter((n) => n.flag?.recordId === second.id)).toMatchObject([
        { flag: { collection: 'appointments', code: 'overlapping-booking' }, appointmentId: second.id },
      ]),
    );
  });
});
