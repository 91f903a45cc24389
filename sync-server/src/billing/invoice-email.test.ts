import { createRecord, HybridClock, newId, type NewRecord } from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api, enrolledDevice, signIn, staffUser } from '#auth/testing';
import { loadConfig } from '#config';
import type { EmailSettings } from '#reminders/config';
import { writeRecords } from '#sync/store';
import { AwsStandIn } from '#testing/aws-stand-in';
import { newAppointment, newPatient, seedSite } from '#testing/fixtures';
import { SmtpStandIn, type MailAttachment } from '#testing/smtp-stand-in';
import { startTestServer, type TestServer } from '#testing/test-server';
import { seedBilledVisit } from './testing.js';

/**
 * Emailing an invoice as a PDF (docs/architecture.md §9.7): from the desk
 * (`/billing`) and through REST (`/api/v1`), over the real nodemailer and AWS
 * SDK to the SMTP and SES stand-ins.
 */

const clock = new HybridClock('invoice-email');
const seeder = { id: 'fixtures', role: 'server', source: 'server' } as const;
const timing = loadConfig({}).reminders.timing;

async function startWithEmail(email: EmailSettings | null): Promise<TestServer> {
  return startTestServer({
    ...(email ? { reminders: { email, sms: null, publicUrl: undefined, timing } } : {}),
    reminderOptions: { awsCredentials: AwsStandIn.credentials },
  });
}

/** A site with a desk user and a billed visit of a patient who has `email` on file. */
async function billedVisit(server: TestServer, email: string | null, preferredLanguage = 'en') {
  const { site, provider } = await seedSite(server.db);
  const patient = createRecord('patients', newPatient(site.id, { email, preferredLanguage }), clock, seeder);
  const appointment = createRecord(
    'appointments',
    newAppointment(
      site.id,
      patient.id,
      provider.id,
      new Date(Date.UTC(2026, 11, 3, 15, 0)),
    ) as NewRecord<'appointments'>,
    clock,
    seeder,
  );
  await writeRecords(server.db, 'patients', [patient]);
  await writeRecords(server.db, 'appointments', [appointment]);
  const { invoiceId } = await seedBilledVisit(server.db, {
    siteId: site.id,
    patientId: patient.id,
    appointmentId: appointment.id,
    providerId: provider.id,
  });
  const desk = await staffUser(server.db, [site.id], 'desk');
  const deskToken = (await signIn(server.url, desk.email)).accessToken;
  return { site, patient, invoiceId, deskToken };
}

const emailInvoice = (server: TestServer, token: string, invoiceId: string, body: unknown = {}) =>
  api<Record<string, unknown>>(server.url, `/billing/invoices/${invoiceId}/email`, { token, body });

function expectInvoicePdf(attachments: MailAttachment[], invoiceId: string) {
  expect(attachments.map((a) => ({ filename: a.filename, contentType: a.contentType }))).toEqual([
    { filename: `invoice-${invoiceId.slice(0, 8)}.pdf`, contentType: 'application/pdf' },
  ]);
  expect(attachments[0]!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
}

describe('emailing an invoice over SMTP', () => {
  let smtp: SmtpStandIn;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await SmtpStandIn.start();
    server = await startWithEmail({ kind: 'smtp', url: smtp.url, from: 'billing@riverside.example' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('sends the PDF to the address on file, naming neither the patient nor the visit, and audits it', async () => {
    const visit = await billedVisit(server, 'ana@example.org');
    const sent = await emailInvoice(server, visit.deskToken, visit.invoiceId);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ invoiceId: visit.invoiceId, to: 'ana@example.org', recipient: 'on-file' });

    const mails = smtp.messages.filter((m) => m.to.includes('ana@example.org'));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.from).toBe('billing@riverside.example');
    expectInvoicePdf(mail!.attachments, visit.invoiceId);
    const text = SmtpStandIn.text(mail!);
    expect(text).toContain(`Invoice INV-${visit.invoiceId.slice(0, 8).toUpperCase()} from Test Clinic`);
    expect(text).toContain('Balance due: $20.00');
    expect(text).not.toContain(visit.patient.familyName);
    expect(text).not.toContain(visit.patient.givenName);
    // Not a reminder: nothing to unsubscribe from.
    expect(mail!.raw).not.toMatch(/^List-Unsubscribe/im);

    const audit = await server.db.query<{ action: string; record_ids: string[]; details: Record<string, unknown> }>(
      `SELECT action, record_ids, details FROM audit_events WHERE via = 'POST /billing/invoices/:id/email'
          AND $1::uuid = ANY(record_ids)`,
      [visit.invoiceId],
    );
    expect(audit).toEqual([
      { action: 'read', record_ids: [visit.invoiceId, visit.patient.id], details: { emailedTo: 'on-file' } },
    ]);
  });

  it("writes in the patient's language", async () => {
    const visit = await billedVisit(server, 'lucia@example.org', 'es-MX');
    expect((await emailInvoice(server, visit.deskToken, visit.invoiceId)).status).toBe(200);
    const [mail] = smtp.messages.filter((m) => m.to.includes('lucia@example.org'));
    const text = SmtpStandIn.text(mail!);
    const number = `INV-${visit.invoiceId.slice(0, 8).toUpperCase()}`;
    expect(text).toMatch(new RegExp(`^Subject: Factura ${number} de Test Clinic`, 'm'));
    expect(text).toContain(`Adjuntamos la factura ${number} de Test Clinic.`);
    // Spanish writes the amount its own way: "20,00 US$".
    expect(text).toContain('Saldo pendiente: 20,00');
    expect(text).toContain('<html lang="es">');
    expect(text).not.toContain('Balance due');
    expectInvoicePdf(mail!.attachments, visit.invoiceId);
  });

  it('sends to an address the desk gives instead, and refuses one that is not an email address', async () => {
    const visit = await billedVisit(server, null);
    const sent = await emailInvoice(server, visit.deskToken, visit.invoiceId, { to: 'guardian@example.org' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ to: 'guardian@example.org', recipient: 'given' });
    const [mail] = smtp.messages.filter((m) => m.to.includes('guardian@example.org'));
    expectInvoicePdf(mail!.attachments, visit.invoiceId);

    const bad = await emailInvoice(server, visit.deskToken, visit.invoiceId, { to: 'guardian at example' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('to');
  });

  it('says so when the patient has no email on file, the invoice does not exist or is another site’s', async () => {
    const visit = await billedVisit(server, null);
    const before = smtp.messages.length;
    const none = await emailInvoice(server, visit.deskToken, visit.invoiceId);
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ error: { code: 'no-email' } });

    const missing = await emailInvoice(server, visit.deskToken, newId());
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not-found' } });

    const elsewhere = await billedVisit(server, 'bo@example.org');
    const other = await emailInvoice(server, visit.deskToken, elsewhere.invoiceId);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ error: { message: `no invoice ${elsewhere.invoiceId} at this site` } });
    expect(smtp.messages.length).toBe(before);
  });

  it('is for desk staff and admins: a kiosk may not send it', async () => {
    const visit = await billedVisit(server, 'cy@example.org');
    const kiosk = await enrolledDevice(server, visit.site.id, 'kiosk');
    expect((await emailInvoice(server, kiosk.token, visit.invoiceId)).status).toBe(403);
    expect(smtp.messages.some((m) => m.to.includes('cy@example.org'))).toBe(false);
  });

  it('answers 502 with the mail server’s refusal, and sends nothing', async () => {
    const visit = await billedVisit(server, 'di@example.org');
    smtp.refuseNext(1, 550, 'Mailbox unavailable');
    const refused = await emailInvoice(server, visit.deskToken, visit.invoiceId);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ error: { code: 'email-refused' } });
    expect(JSON.stringify(refused.body)).toContain('Mailbox unavailable');
    expect(smtp.messages.some((m) => m.to.includes('di@example.org'))).toBe(false);
  });

  it('through REST: POST /api/v1/invoices/{id}/email, once per Idempotency-Key', async () => {
    const visit = await billedVisit(server, 'eve@example.org');
    const key = await apiClientKey(server.db, visit.site.id);
    const post = () =>
      api<Record<string, unknown>>(server.url, `/api/v1/invoices/${visit.invoiceId}/email`, {
        token: key,
        body: {},
        headers: { 'idempotency-key': `email-${visit.invoiceId}` },
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ to: 'eve@example.org', recipient: 'on-file', patientId: visit.patient.id });
    const again = await post();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const mails = smtp.messages.filter((m) => m.to.includes('eve@example.org'));
    expect(mails).toHaveLength(1);
    expectInvoicePdf(mails[0]!.attachments, visit.invoiceId);

    const missing = await api(server.url, `/api/v1/invoices/${newId()}/email`, { token: key, body: {} });
    expect(missing.status).toBe(404);
  });
});

describe('emailing an invoice through Amazon SES', () => {
  let aws: AwsStandIn;
  let server: TestServer;

  beforeAll(async () => {
    aws = await AwsStandIn.start();
    server = await startWithEmail({
      kind: 'ses',
      region: 'us-east-1',
      endpoint: aws.url,
      from: 'billing@riverside.example',
    });
  });
  afterAll(async () => {
    await server?.close();
    await aws?.close();
  });

  it('sends the PDF as an attachment of the raw MIME message', async () => {
    const visit = await billedVisit(server, 'fay@example.org');
    const sent = await emailInvoice(server, visit.deskToken, visit.invoiceId);
    expect(sent.status).toBe(200);
    const mails = aws.emails.filter((m) => m.to.includes('fay@example.org'));
    expect(mails).toHaveLength(1);
    expectInvoicePdf(mails[0]!.attachments, visit.invoiceId);
  });
});

describe('emailing an invoice where email is not set up', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startWithEmail(null);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 503 naming the setting, and the desk’s settings say there is no email', async () => {
    const visit = await billedVisit(server, 'gus@example.org');
    const answer = await emailInvoice(server, visit.deskToken, visit.invoiceId);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: 'email-not-configured' } });
    expect(JSON.stringify(answer.body)).toContain('REMINDER_EMAIL');
    const settings = await api(server.url, '/billing/settings', { token: visit.deskToken });
    expect(settings.body).toMatchObject({ email: false });
  });
});
