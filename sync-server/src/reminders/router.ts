import {
  cancelAppointment,
  changeRecord,
  formatAppointmentTime,
  isStopKeyword,
  reminderCatalogues,
  reminderLanguageFor,
  type Actor,
  type Appointment,
  type ContactConsent,
  type Patient,
  type ReminderCatalogue,
  type Site,
} from '@medisync/shared/domain';
import express, { type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { writeRecord, type ApiDeps } from '#api/service';
import { HttpError } from '#http/errors';
import { serverClock } from '#sync/rules';
import type { ReminderKeys } from './codes.js';
import type { SmsSettings } from './config.js';
import { verifyLink } from './links.js';
import { escape } from './templates.js';

export interface ReminderRouterDeps extends ApiDeps {
  keys: ReminderKeys;
  sms: SmsSettings | null;
  /** Where Twilio posts replies, as configured there: its signature covers the URL. */
  publicUrl: () => string;
  /** Told of a patient's cancel, to offer the time to the waitlist and tell the desk. */
  onCancelled?: (appointment: Appointment) => Promise<void>;
  onConfirmed?: (appointment: Appointment) => Promise<void>;
}

/** The patient acting through a signed link: the server writes for them. */
const PATIENT_LINK: Actor = { id: 'reminder-link', role: 'server', source: 'server' };

/**
 * The public side of reminders (docs/architecture.md §9.6), no sign-in:
 *
 * - `GET /r/:token`: a small page with the appointment's time and provider
 *   only, and Confirm and Cancel buttons; `POST /r/:token/confirm` and
 *   `/cancel` act. A GET never changes anything: mail scanners open links.
 * - `GET /r/unsubscribe/:token` and `POST` (also RFC 8058 one-click): no more
 *   reminders by email, at once.
 * - `POST /reminders/sms/inbound`: Twilio's webhook for replies; STOP turns
 *   every SMS off for that number at once. Signed by Twilio, checked here.
 */
export function remindersRouter(deps: ReminderRouterDeps): express.Router {
  const router = express.Router();

  router.get('/r/unsubscribe/:token', async (req, res) => {
    const link = await verifyLink(deps.keys, String(req.params.token));
    const t = catalogueOf(link?.lng);
    if (link?.use !== 'unsubscribe') return page(res, t, t.linkInvalid, 410);
    page(res, t, '', 200, `<form method="post"><button type="submit">${escape(t.unsubscribe)}</button></form>`);
  });

  router.post('/r/unsubscribe/:token', async (req, res) => {
    const link = await verifyLink(deps.keys, String(req.params.token));
    const t = catalogueOf(link?.lng);
    if (link?.use !== 'unsubscribe') return page(res, t, t.linkInvalid, 410);
    const [row] = await deps.db.query<{ doc: Patient }>(`SELECT doc FROM patients WHERE id = $1 AND NOT deleted`, [
      link.sub,
    ]);
    if (row !== undefined) await withdraw(deps, row.doc, { email: false }, 'unsubscribe-link');
    page(res, t, t.unsubscribed);
  });

  router.get('/r/:token', async (req, res) => {
    const found = await appointmentOf(deps, req);
    if (typeof found === 'string') return page(res, catalogueOf(null), found, 410);
    const { t, appointment } = found;
    const open = appointment.status === 'booked';
    page(
      res,
      t,
      open ? '' : t.notChangeable,
      200,
      open
        ? `<div class="actions"><form method="post" action="${escape(String(req.params.token))}/confirm"><button type="submit">${escape(t.confirm)}</button></form>
<form method="post" action="${escape(String(req.params.token))}/cancel"><button type="submit" class="secondary">${escape(t.cancel)}</button></form></div>`
        : '',
      found,
    );
  });

  router.post('/r/:token/:action', async (req, res) => {
    const action = z.enum(['confirm', 'cancel']).safeParse(req.params.action);
    if (!action.success) throw new HttpError(404, 'not-found', 'no such action');
    const found = await appointmentOf(deps, req);
    if (typeof found === 'string') return page(res, catalogueOf(null), found, 410);
    const { t, appointment } = found;
    if (appointment.status !== 'booked') return page(res, t, t.notChangeable, 409, '', found);
    if (action.data === 'confirm') {
      const confirmed = await writeRecord(
        deps,
        'appointments',
        changeRecord('appointments', appointment, { reminderConfirmedAt: new Date().toISOString() }, serverClock),
        appointment.siteId,
      );
      await deps.onConfirmed?.(confirmed);
      return page(res, t, t.confirmed, 200, '', found);
    }
    const cancelled = await writeRecord(
      deps,
      'appointments',
      cancelAppointment(appointment, 'by the patient, from a reminder', serverClock, PATIENT_LINK, new Date()),
      appointment.siteId,
    );
    await deps.onCancelled?.(cancelled);
    page(res, t, t.cancelled, 200, '', found);
  });

  router.post('/reminders/sms/inbound', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    if (deps.sms?.kind !== 'twilio') throw new HttpError(404, 'not-found', 'SMS replies are not configured');
    const params = z.record(z.string(), z.string()).parse(req.body ?? {});
    const signature = req.header('x-twilio-signature') ?? '';
    const url = `${deps.publicUrl()}${req.originalUrl}`;
    if (!twilio.validateRequest(deps.sms.authToken, signature, url, params)) {
      throw new HttpError(403, 'forbidden', 'the request is not signed by Twilio');
    }
    const from = params.From ?? '';
    if (isStopKeyword(params.Body ?? '') && from.length > 0) {
      const digits = from.replace(/\D/g, '').slice(-10);
      const patients = await deps.db.query<{ doc: Patient }>(
        `SELECT doc FROM patients WHERE NOT deleted AND right(regexp_replace(doc->>'phone', '\\D', '', 'g'), 10) = $1`,
        [digits],
      );
      for (const { doc } of patients) await withdraw(deps, doc, { sms: false, almostTurnSms: false }, 'sms-stop');
      deps.log.info({ patients: patients.map((p) => p.doc.id) }, 'SMS opt-out by STOP');
    }
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  return router;
}

interface Found {
  t: ReminderCatalogue;
  appointment: Appointment;
  when: string;
  provider: string;
}

async function appointmentOf(deps: ReminderRouterDeps, req: Request): Promise<Found | string> {
  const link = await verifyLink(deps.keys, String(req.params.token));
  const t = catalogueOf(link?.lng);
  if (link?.use !== 'appointment') return t.linkInvalid;
  const [row] = await deps.db.query<{ doc: Appointment; site: Site; provider: string | null }>(
    `SELECT a.doc, s.doc AS site, pr.doc->>'displayName' AS provider
       FROM appointments a
       JOIN sites s ON s.id = (a.doc->>'siteId')::uuid
       LEFT JOIN providers pr ON pr.id = (a.doc->>'providerId')::uuid
      WHERE a.id = $1 AND NOT a.deleted`,
    [link.sub],
  );
  if (row === undefined) return t.linkInvalid;
  const language = reminderLanguageFor(link.lng);
  return {
    t,
    appointment: row.doc,
    when: formatAppointmentTime(row.doc.start, row.site.timezone, language),
    provider: row.provider ?? '',
  };
}

/** Turns channels off for a patient at once, through the same write path as any change. */
async function withdraw(
  deps: ApiDeps,
  patient: Patient,
  off: Partial<Pick<ContactConsent, 'email' | 'sms' | 'almostTurnSms'>>,
  via: ContactConsent['changedVia'],
): Promise<void> {
  const current = patient.contactConsent;
  if (!current || Object.entries(off).every(([k, v]) => current[k as keyof typeof off] === v)) return;
  const consent: ContactConsent = { ...current, ...off, changedAt: new Date().toISOString(), changedVia: via };
  await writeRecord(
    deps,
    'patients',
    changeRecord('patients', patient, { contactConsent: consent }, serverClock),
    patient.siteId,
  );
}

function catalogueOf(language: string | null | undefined): ReminderCatalogue {
  return reminderCatalogues[reminderLanguageFor(language)];
}

/** The public page: the time and the provider, nothing else about the patient or the visit. */
function page(res: Response, t: ReminderCatalogue, message: string, status = 200, actions = '', found?: Found): void {
  const details = found
    ? `<dl><dt>${escape(t.pageWhen)}</dt><dd data-testid="when">${escape(found.when)}</dd>
<dt>${escape(t.pageWith)}</dt><dd data-testid="provider">${escape(found.provider)}</dd></dl>`
    : '';
  res
    .status(status)
    .type('html')
    .set('cache-control', 'no-store')
    .set('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(t.pageTitle)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
dt{font-weight:600}dd{margin:0 0 1rem}.actions{display:flex;gap:1rem}button{font-size:1.1rem;padding:.75rem 1.5rem;border-radius:.5rem;border:2px solid #0b5cad;background:#0b5cad;color:#fff}
button.secondary{background:#fff;color:#0b5cad}p[role=status]{font-size:1.1rem}</style></head>
<body><main><h1>${escape(t.pageTitle)}</h1>${details}${message ? `<p role="status">${escape(message)}</p>` : ''}${actions}</main></body></html>`,
    );
}
