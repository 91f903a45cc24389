import {
  appointmentCodeHash,
  createRecord,
  HybridClock,
  localDateAt,
  localTimeAt,
  newId,
  transitionRecord,
  type Actor,
  type Appointment,
  type ContactConsent,
  type Patient,
  type Site,
} from '@medisync/shared/domain';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api } from '#auth/testing';
import { clinicMorningTimezone } from '#seed/demo-clinic';
import { writeRecords } from '#sync/store';
import { AwsStandIn } from '../testing/aws-stand-in.js';
import { eventually, newAppointment, newPatient } from '../testing/fixtures.js';
import { SmtpStandIn } from '../testing/smtp-stand-in.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { TwilioStandIn } from '../testing/twilio-stand-in.js';
import { reminderKeys } from './codes.js';
import { signUnsubscribeLink } from './links.js';

const clock = new HybridClock('reminders-test');
const desk: Actor = { id: 'reminders-test', role: 'server', source: 'server' };
const fast = { pollMs: 100, retryBaseMs: 50, retryMaxMs: 200, sendTimeoutMs: 5_000 };
const CODE = /\b[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}\b/;
/** A message's words: its QR image and signed links are encoded data, where any three letters may turn up (an SMS's link once held 'ZmRiMy', so 'MRI'). */
const words = (text: string) => text.replace(/[\w+/=.-]{40,}/g, '');
const everything: ContactConsent = {
  email: true,
  sms: true,
  almostTurnSms: true,
  changedAt: '2026-11-01T00:00:00.000Z',
  changedVia: 'desk',
};

interface Clinic {
  site: Site;
  providerId: string;
}

/**
 * A site whose reminders go 48 h and 2 h ahead, with no quiet hours unless given,
 * in a zone where it is morning: "checked in ten minutes ago" is today at any hour.
 */
async function seedClinic(server: TestServer, quietHours: Site['reminders'] extends infer R ? R : never = undefined) {
  const site = createRecord(
    'sites',
    {
      id: newId(),
      name: 'Riverside Family Clinic',
      timezone: clinicMorningTimezone(new Date()),
      queuePrefixes: { reception: 'A' },
      reminders: quietHours ?? { enabled: true, minutesBefore: [2880, 120], quietHours: null, almostTurnSms: true },
      address: {
        line1: '12 River Road',
        line2: null,
        city: 'Springfield',
        region: 'NY',
        postalCode: '10001',
        country: 'US',
      },
    },
    clock,
    desk,
  );
  const provider = createRecord(
    'providers',
    { id: newId(), siteIds: [site.id], displayName: 'Dr. Amara Okafor', specialty: 'Family medicine', active: true },
    clock,
    desk,
  );
  await writeRecords(server.db, 'sites', [site]);
  await writeRecords(server.db, 'providers', [provider]);
  return { site, providerId: provider.id } satisfies Clinic;
}

/** A patient with an appointment `minutesAhead` from now; its notes hold what no message may carry. */
async function book(server: TestServer, clinic: Clinic, patient: Partial<Patient>, minutesAhead: number) {
  const record = createRecord('patients', newPatient(clinic.site.id, patient), clock, desk);
  const start = new Date(Math.ceil((Date.now() + minutesAhead * 60_000) / 60_000) * 60_000);
  const appointment = createRecord(
    'appointments',
    { ...newAppointment(clinic.site.id, record.id, clinic.providerId, start), notes: 'knee pain, follow-up on MRI' },
    clock,
    desk,
  );
  await writeRecords(server.db, 'patients', [record]);
  await writeRecords(server.db, 'appointments', [appointment]);
  return { patient: record, appointment };
}

async function messagesOf(server: TestServer, patientId: string) {
  return server.db.query<{ channel: string; state: string; attempts: number; reason: string | null }>(
    `SELECT channel, state, attempts, reason FROM reminder_messages WHERE patient_id = $1 ORDER BY channel`,
    [patientId],
  );
}

async function stored(server: TestServer, appointmentId: string): Promise<Appointment> {
  const [row] = await server.db.query<{ doc: Appointment }>('SELECT doc FROM appointments WHERE id = $1', [
    appointmentId,
  ]);
  return row!.doc;
}

describe('reminders by SMTP and Amazon SNS, through the real nodemailer and AWS SDK', () => {
  let server: TestServer;
  let smtp: SmtpStandIn;
  let aws: AwsStandIn;
  let clinic: Clinic;

  beforeAll(async () => {
    smtp = await SmtpStandIn.start();
    aws = await AwsStandIn.start();
    server = await startTestServer({
      reminders: {
        email: { kind: 'smtp', url: smtp.url, from: 'reminders@riverside.example' },
        sms: { kind: 'sns', region: 'us-east-1', endpoint: aws.url },
        publicUrl: 'https://clinic.example',
        timing: { ...fast, maxAttempts: 4, batchSize: 1 },
      },
      reminderOptions: { awsCredentials: AwsStandIn.credentials },
    });
    clinic = await seedClinic(server);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await aws?.close();
  });

  it("sends the due reminder in the patient's language with the kiosk code, the QR code and the address, never the visit's reason", async () => {
    const ana = await book(
      server,
      clinic,
      {
        givenName: 'Ana',
        email: 'ana@example.org',
        phone: '+15550101',
        preferredLanguage: 'es',
        contactConsent: everything,
      },
      60,
    );
    const silent = await book(server, clinic, { email: 'no@example.org', contactConsent: null }, 60);
    const later = await book(server, clinic, { email: 'later@example.org', contactConsent: everything }, 4 * 24 * 60);
    server.reminders.scheduler.poke();

    await eventually(async () =>
      expect((await messagesOf(server, ana.patient.id)).map((m) => m.state)).toEqual(
        ['email', 'sms'].map(() => 'sent'),
      ),
    );
    const mail = smtp.messages.find((m) => m.to.includes('ana@example.org'))!;
    const text = SmtpStandIn.text(mail);
    const code = CODE.exec(text)![0];
    expect(text).toContain('Hola, Ana');
    expect(text).toContain('Dr. Amara Okafor');
    expect(text).toContain('12 River Road');
    expect(text).toContain('https://clinic.example/r/');
    expect(mail.raw).toMatch(/Content-Type: image\/png/i);
    expect(mail.raw).toContain('checkin-qr');
    expect(mail.raw).toMatch(/^List-Unsubscribe:\s*<https:\/\/clinic\.example\/r\/unsubscribe\//m);
    expect(words(text)).not.toMatch(/knee|MRI|follow-up/i);
    const sms = aws.sms.find((s) => s.phoneNumber === '+15550101')!;
    expect(sms.message).toContain(code);
    expect(sms.smsType).toBe('Transactional');
    expect(words(sms.message)).not.toMatch(/knee|MRI|follow-up/i);
    // The kiosk can check the code: its hash, under the site and the day, is on the appointment.
    const date = localDateAt(new Date(ana.appointment.start), clinic.site.timezone);
    expect((await stored(server, ana.appointment.id)).checkInCodeHash).toBe(
      appointmentCodeHash(clinic.site.id, date, code),
    );
    // The hash is for the kiosk: the integration API shows neither it nor, of course, the code.
    const read = await api<Record<string, unknown>>(server.url, `/api/v1/appointments/${ana.appointment.id}`, {
      token: await apiClientKey(server.db, clinic.site.id),
    });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('checkInCodeHash');
    expect(JSON.stringify(read.body)).not.toContain(code);

    // Planning again queues nothing new; no consent, or no reminder due yet, queues nothing at all.
    expect(await server.reminders.scheduler.plan()).toBe(0);
    expect(await messagesOf(server, silent.patient.id)).toEqual([]);
    expect(await messagesOf(server, later.patient.id)).toEqual([]);
    expect(smtp.messages.filter((m) => m.to.includes('ana@example.org'))).toHaveLength(1);
  });

  it('retries a refused send with backoff, gives up on a final refusal, and records every attempt', async () => {
    smtp.refuseNext(2, 451);
    const ben = await book(
      server,
      clinic,
      { email: 'ben@example.org', contactConsent: { ...everything, sms: false } },
      90,
    );
    server.reminders.scheduler.poke();
    await eventually(async () =>
      expect(await messagesOf(server, ben.patient.id)).toMatchObject([{ state: 'sent', attempts: 3 }]),
    );
    const attempts = await server.db.query<{ error: string | null }>(
      `SELECT a.error FROM reminder_attempts a JOIN reminder_messages m ON m.id = a.message_id
        WHERE m.patient_id = $1 ORDER BY a.id`,
      [ben.patient.id],
    );
    expect(attempts.map((a) => a.error === null)).toEqual([false, false, true]);
    expect(smtp.messages.filter((m) => m.to.includes('ben@example.org'))).toHaveLength(1);

    smtp.refuseNext(1, 550, 'No such mailbox');
    const cleo = await book(
      server,
      clinic,
      { email: 'cleo@example.org', contactConsent: { ...everything, sms: false } },
      90,
    );
    server.reminders.scheduler.poke();
    await eventually(async () =>
      expect(await messagesOf(server, cleo.patient.id)).toMatchObject([{ state: 'failed', attempts: 1 }]),
    );
  });

  it('holds messages in quiet hours, and an unsubscribe counts at once, even for a message already queued', async () => {
    const now = new Date();
    const quiet = {
      start: localTimeAt(new Date(now.getTime() - 60 * 60_000), clinic.site.timezone),
      end: localTimeAt(new Date(now.getTime() + 60 * 60_000), clinic.site.timezone),
    };
    const quietClinic = await seedClinic(server, {
      enabled: true,
      minutesBefore: [2880, 120],
      quietHours: quiet,
      almostTurnSms: false,
    });
    const dana = await book(
      server,
      quietClinic,
      { email: 'dana@example.org', contactConsent: { ...everything, sms: false } },
      100,
    );
    await server.reminders.scheduler.plan();
    expect(await messagesOf(server, dana.patient.id)).toMatchObject([{ state: 'pending', attempts: 0 }]);
    const [queued] = await server.db.query<{ next_attempt_at: Date }>(
      `SELECT next_attempt_at FROM reminder_messages WHERE patient_id = $1`,
      [dana.patient.id],
    );
    // Held until the quiet hours end, an hour from now.
    expect(queued!.next_attempt_at.getTime()).toBeGreaterThan(now.getTime() + 55 * 60_000);

    const link = await signUnsubscribeLink(reminderKeys(server.config.tokenSecret!), dana.patient.id, 'en');
    const answer = await fetch(`${server.url}/r/unsubscribe/${link}`, { method: 'POST' });
    expect(answer.status).toBe(200);
    // The quiet hours end (the clock cannot be moved, so the message is made due):
    await server.db.query(`UPDATE reminder_messages SET next_attempt_at = now() WHERE patient_id = $1`, [
      dana.patient.id,
    ]);
    server.reminders.scheduler.poke();
    await eventually(async () =>
      expect(await messagesOf(server, dana.patient.id)).toMatchObject([
        { state: 'cancelled', reason: 'the patient opted out of this channel' },
      ]),
    );
    expect(smtp.messages.filter((m) => m.to.includes('dana@example.org'))).toEqual([]);
  });

  it('texts a waiting patient who opted in once they are next in line, naming their ticket', async () => {
    const queued = (patientId: string, ticketCode: string, minutesAgo: number) =>
      createRecord(
        'queueEntries',
        {
          id: newId(),
          siteId: clinic.site.id,
          appointmentId: null,
          patientId,
          queue: 'reception',
          ticketCode,
          priority: 'normal',
          status: 'waiting',
          checkedInAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
          roomId: null,
        },
        clock,
        desk,
      );
    const ahead = createRecord('patients', newPatient(clinic.site.id, { contactConsent: null }), clock, desk);
    const jo = createRecord(
      'patients',
      newPatient(clinic.site.id, { phone: '+15550177', contactConsent: { ...everything, email: false, sms: false } }),
      clock,
      desk,
    );
    await writeRecords(server.db, 'patients', [ahead, jo]);
    const first = queued(ahead.id, 'A-101', 10);
    await writeRecords(server.db, 'queueEntries', [first, queued(jo.id, 'A-102', 5)]);
    // Nobody has moved up yet; a call ahead of Jo makes Jo next (the rule itself: shared/src/domain/reminders.test.ts).
    await writeRecords(server.db, 'queueEntries', [transitionRecord('queueEntries', first, 'called', clock, desk)]);
    await eventually(async () =>
      expect(await messagesOf(server, jo.id)).toMatchObject([{ channel: 'sms', state: 'sent' }]),
    );
    const texts = aws.sms.filter((m) => m.phoneNumber === '+15550177');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.message).toContain('A-102');
    expect(texts[0]!.message).toContain('next in line');
    expect(await messagesOf(server, ahead.id)).toEqual([]);
  });

  it('sends nothing twice when the server restarts mid-batch, nor a message a stopped server left in flight', async () => {
    const held = smtp.holdNext();
    const patients = [];
    for (const name of ['eve', 'finn', 'gus']) {
      patients.push(
        await book(
          server,
          clinic,
          { email: `${name}@example.org`, contactConsent: { ...everything, sms: false } },
          100,
        ),
      );
    }
    server.reminders.scheduler.poke();
    // One message is with the mail server, unanswered, when the restart begins.
    const release = await held;
    const restarting = server.restart();
    release();
    await restarting;
    server.reminders.scheduler.poke();
    for (const { patient } of patients) {
      await eventually(async () => expect(await messagesOf(server, patient.id)).toMatchObject([{ state: 'sent' }]));
      expect(smtp.messages.filter((m) => m.to.includes(patient.email!))).toHaveLength(1);
    }

    // A server that died after handing a message over leaves it `sending`: it is not sent again.
    const hal = await book(
      server,
      clinic,
      { email: 'hal@example.org', contactConsent: { ...everything, sms: false } },
      100,
    );
    await server.reminders.scheduler.stop();
    await server.reminders.scheduler.plan();
    await server.db.query(
      `UPDATE reminder_messages SET state = 'sending', attempts = 1, sending_since = now() - interval '1 hour'
        WHERE patient_id = $1`,
      [hal.patient.id],
    );
    server.reminders.scheduler.start();
    await eventually(async () =>
      expect(await messagesOf(server, hal.patient.id)).toMatchObject([{ state: 'uncertain' }]),
    );
    expect(smtp.messages.filter((m) => m.to.includes('hal@example.org'))).toEqual([]);
  });
});

describe('reminders by Amazon SES and Twilio, through their real SDKs', () => {
  let server: TestServer;
  let aws: AwsStandIn;
  let sms: TwilioStandIn;
  let clinic: Clinic;

  beforeAll(async () => {
    aws = await AwsStandIn.start();
    sms = await TwilioStandIn.start();
    server = await startTestServer({
      reminders: {
        email: { kind: 'ses', region: 'us-east-1', endpoint: aws.url, from: 'reminders@riverside.example' },
        sms: {
          kind: 'twilio',
          accountSid: TwilioStandIn.accountSid,
          authToken: TwilioStandIn.authToken,
          from: '+15550199',
          apiUrl: sms.url,
        },
        publicUrl: undefined,
        timing: { ...fast, maxAttempts: 4, batchSize: 20 },
      },
      reminderOptions: { awsCredentials: AwsStandIn.credentials },
    });
    clinic = await seedClinic(server);
  });
  afterAll(async () => {
    await server?.close();
    await aws?.close();
    await sms?.close();
  });

  it('sends the email through SES (retrying its throttling) and the SMS through Twilio; STOP turns SMS off at once', async () => {
    aws.throttleNext(1);
    const ivy = await book(
      server,
      clinic,
      {
        givenName: 'Ivy',
        email: 'ivy@example.org',
        phone: '+1 (555) 010-2222',
        preferredLanguage: 'de',
        contactConsent: everything,
      },
      60,
    );
    server.reminders.scheduler.poke();
    await eventually(async () =>
      expect((await messagesOf(server, ivy.patient.id)).map((m) => m.state)).toEqual(['sent', 'sent']),
    );
    const email = aws.emails.find((e) => e.raw.includes('ivy@example.org'))!;
    expect(SmtpStandIn.text({ from: '', to: [], raw: email.raw, messageId: null })).toContain('Guten Tag Ivy');
    expect(aws.emails.filter((e) => e.raw.includes('ivy@example.org'))).toHaveLength(1);
    const text = sms.sms.find((s) => s.to === '+1 (555) 010-2222')!;
    expect(text).toMatchObject({ from: '+15550199', authorized: true });
    expect(text.body).toMatch(CODE);
    expect(text.body).toContain(`${server.url}/r/`);

    const url = `${server.url}/reminders/sms/inbound`;
    const reply = { From: '+15550102222', Body: 'Stop' };
    const forged = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams(reply),
      headers: { 'x-twilio-signature': 'forged' },
    });
    expect(forged.status).toBe(403);
    const signature = twilio.getExpectedTwilioSignature(TwilioStandIn.authToken, url, reply);
    const signed = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams(reply),
      headers: { 'x-twilio-signature': signature },
    });
    expect(signed.status).toBe(200);
    const [row] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [ivy.patient.id]);
    expect(row!.doc.contactConsent).toMatchObject({
      email: true,
      sms: false,
      almostTurnSms: false,
      changedVia: 'sms-stop',
    });
  });
});
