import {
  consentedChannels,
  dueReminderOffset,
  newId,
  reminderCatalogues,
  reminderHorizonMinutes,
  reminderLanguageFor,
  sendableAt,
  type Appointment,
  type Patient,
  type QueueEntry,
  type ReminderChannel,
  type Site,
} from '@medisync/shared/domain';
import type { ApiDeps } from '#api/service';
import { claimDueSql, OutboxWorker, retryDelayMs } from '#outbox/worker';
import { PermanentSendError, type EmailChannel, type SmsChannel } from './channels/channel.js';
import type { ReminderTiming } from './config.js';
import { issueAppointmentCode, type ReminderKeys } from './codes.js';
import { signAppointmentLink, signUnsubscribeLink } from './links.js';
import { reminderEmail, reminderSms, type ReminderContent } from './templates.js';

export interface ReminderDeps extends ApiDeps {
  keys: ReminderKeys;
  timing: ReminderTiming;
  email: EmailChannel | null;
  sms: SmsChannel | null;
  /** Where patients' links point (PUBLIC_URL, else the server's own address). */
  publicUrl: () => string;
  /** Runs at the start of every round, before planning (the notices' expiry). */
  housekeeping?: () => Promise<void>;
  /** Called when a message reaches a state the desk should see (sent, failed, uncertain). */
  onDelivery?: (message: MessageRow) => Promise<void>;
  now?: () => Date;
}

/** A row of `reminder_messages` (migration 20261130_0020). */
export interface MessageRow {
  id: string;
  site_id: string;
  patient_id: string;
  appointment_id: string | null;
  queue_entry_id: string | null;
  kind: 'reminder' | 'almost-turn';
  channel: ReminderChannel;
  planned_start: string | null;
  minutes_before: number | null;
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'uncertain';
  attempts: number;
  last_error: string | null;
  reason: string | null;
}

/**
 * Plans and sends reminders (docs/architecture.md §9.6). Each round first
 * queues every reminder that has fallen due, one `reminder_messages` row per
 * appointment, start, offset and channel (a unique key, so planning twice, or
 * on two instances, queues once); then it works the due rows through the
 * outbox worker (outbox/worker.ts), like the webhook dispatcher.
 *
 * A message is claimed, then marked `sending` in its own committed write, then
 * handed to the provider, then marked with the answer: a server that stops
 * between the last two leaves it `sending`, and it is never sent again but
 * marked `uncertain` for the desk (a patient gets a reminder at most once).
 * Everything that decides whether it may go (still booked, not moved,
 * consent, quiet hours) is checked again right before it goes, so an opt-out
 * or a cancel counts at once.
 */
export class ReminderScheduler {
  private readonly worker: OutboxWorker<MessageRow>;
  private readonly now: () => Date;

  constructor(private readonly deps: ReminderDeps) {
    this.now = deps.now ?? (() => new Date());
    this.worker = new OutboxWorker('reminders', deps.log, deps.timing.pollMs, {
      beforeRound: async () => {
        await this.deps.housekeeping?.();
        await this.markInterrupted();
        await this.plan();
      },
      claim: () => this.claim(),
      attempt: (row) => this.attempt(row),
    });
  }

  start(): void {
    this.worker.start();
  }

  poke(): void {
    this.worker.poke();
  }

  /** Stops planning and claiming; a message already handed to its provider is waited for, never cut off. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }

  /** Queues every reminder due now at sites whose policy is on. Answers how many it queued. */
  async plan(): Promise<number> {
    const now = this.now();
    const sites = await this.deps.db.query<{ doc: Site }>(
      `SELECT doc FROM sites WHERE NOT deleted AND (doc->'reminders'->>'enabled')::boolean`,
    );
    let queued = 0;
    for (const { doc: site } of sites) {
      const policy = site.reminders!;
      const horizon = new Date(now.getTime() + reminderHorizonMinutes(policy) * 60_000).toISOString();
      const rows = await this.deps.db.query<{ appointment: Appointment; patient: Patient }>(
        `SELECT a.doc AS appointment, p.doc AS patient
           FROM appointments a JOIN patients p ON p.id = (a.doc->>'patientId')::uuid AND NOT p.deleted
          WHERE a.site_ids @> ARRAY[$1::uuid] AND NOT a.deleted AND a.doc->>'status' = 'booked'
            AND a.doc->>'start' > $2 AND a.doc->>'start' <= $3`,
        [site.id, now.toISOString(), horizon],
      );
      const at = sendableAt(policy.quietHours, now, site.timezone);
      for (const { appointment, patient } of rows) {
        const minutes = dueReminderOffset(policy, appointment.start, now);
        if (minutes === null) continue;
        for (const channel of this.reachable(patient)) {
          const inserted = await this.deps.db.query(
            `INSERT INTO reminder_messages
               (id, site_id, patient_id, appointment_id, kind, channel, dedupe_key, planned_start, minutes_before,
                next_attempt_at)
             VALUES ($1, $2, $3, $4, 'reminder', $5, $6, $7, $8, $9)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
            [
              newId(),
              site.id,
              patient.id,
              appointment.id,
              channel,
              `reminder:${appointment.id}:${appointment.start}:${minutes}:${channel}`,
              appointment.start,
              minutes,
              at.toISOString(),
            ],
          );
          queued += inserted.length;
        }
      }
    }
    return queued;
  }

  /** The channels this server can send on that the patient agreed to. */
  private reachable(patient: Patient): ReminderChannel[] {
    return consentedChannels(patient, 'reminder').filter((c) => (c === 'email' ? this.deps.email : this.deps.sms));
  }

  /**
   * Messages left `sending` longer than a send may take: the instance sending
   * them stopped before it recorded the answer. They may have reached the
   * patient, so they are not sent again.
   */
  private async markInterrupted(): Promise<void> {
    const rows = await this.deps.db.query<MessageRow>(
      `UPDATE reminder_messages
          SET state = 'uncertain', updated_at = now(),
              reason = 'the server stopped while handing the message over; it is not sent again'
        WHERE state = 'sending' AND sending_since < now() - make_interval(secs => $1::double precision / 1000)
        RETURNING *`,
      [this.leaseMs],
    );
    for (const row of rows) await this.deps.onDelivery?.(row);
  }

  private get leaseMs(): number {
    return this.deps.timing.sendTimeoutMs + 5_000;
  }

  private claim(): Promise<MessageRow[]> {
    return this.deps.db.query<MessageRow>(claimDueSql('reminder_messages', 'SELECT * FROM claimed'), [
      this.deps.timing.batchSize,
      this.leaseMs,
    ]);
  }

  private async attempt(row: MessageRow): Promise<void> {
    const now = this.now();
    const context = await this.context(row);
    const veto = typeof context === 'string' ? context : null;
    if (veto !== null) {
      await this.finish(row, 'cancelled', { reason: veto });
      return;
    }
    const { site } = context as Context;
    const at = sendableAt(site.reminders?.quietHours ?? null, now, site.timezone);
    if (at > now) {
      // Quiet hours began since it was queued: it waits, and the wait is no failed attempt.
      await this.deps.db.query(`UPDATE reminder_messages SET next_attempt_at = $2, updated_at = now() WHERE id = $1`, [
        row.id,
        at.toISOString(),
      ]);
      return;
    }
    const channel = row.channel === 'email' ? this.deps.email : this.deps.sms;
    if (channel === null) {
      await this.finish(row, 'cancelled', { reason: `no ${row.channel} channel is configured` });
      return;
    }
    const send = await this.prepare(row, context as Context);
    // Claim, then mark, then send: from here on a stop leaves the row `sending`, never sent twice.
    const marked = await this.deps.db.query(
      `UPDATE reminder_messages SET state = 'sending', sending_since = now(), attempts = attempts + 1,
              provider = $2, updated_at = now()
        WHERE id = $1 AND state = 'pending' RETURNING id`,
      [row.id, channel.provider],
    );
    if (marked.length === 0) return;
    const started = Date.now();
    const attempts = row.attempts + 1;
    try {
      const sent = await withTimeout(send(channel), this.deps.timing.sendTimeoutMs);
      await this.record(row.id, channel.provider, sent.providerMessageId, null, Date.now() - started);
      await this.finish(row, 'sent', { providerMessageId: sent.providerMessageId, attempts });
    } catch (error) {
      const message = String((error as Error).message ?? error).slice(0, 500);
      await this.record(row.id, channel.provider, null, message, Date.now() - started);
      const final = error instanceof PermanentSendError || attempts >= this.deps.timing.maxAttempts;
      if (error instanceof SendTimeout) {
        // The provider may have the message and simply not have answered: sending again could send it twice.
        await this.finish(row, 'uncertain', { error: message, attempts });
      } else if (final) {
        await this.finish(row, 'failed', { error: message, attempts });
      } else {
        await this.deps.db.query(
          `UPDATE reminder_messages SET state = 'pending', sending_since = NULL, last_error = $2, updated_at = now(),
                  next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
            WHERE id = $1`,
          [row.id, message, retryDelayMs(attempts, this.deps.timing)],
        );
        this.deps.log.info({ messageId: row.id, attempts }, 'reminder send failed; will retry');
      }
    }
  }

  /** What the message is about, read fresh; or why it must not go any more. */
  private async context(row: MessageRow): Promise<Context | string> {
    const [patientRow] = await this.deps.db.query<{ doc: Patient }>(
      `SELECT doc FROM patients WHERE id = $1 AND NOT deleted`,
      [row.patient_id],
    );
    const [siteRow] = await this.deps.db.query<{ doc: Site }>(`SELECT doc FROM sites WHERE id = $1`, [row.site_id]);
    if (patientRow === undefined || siteRow === undefined) return 'the patient or the site is gone';
    const patient = patientRow.doc;
    if (!consentedChannels(patient, row.kind).includes(row.channel)) return 'the patient opted out of this channel';
    if (!siteRow.doc.reminders?.enabled) return 'the site turned reminders off';
    if (row.kind === 'almost-turn') {
      const [entryRow] = await this.deps.db.query<{ doc: QueueEntry }>(
        `SELECT doc FROM queue_entries WHERE id = $1 AND NOT deleted`,
        [row.queue_entry_id],
      );
      if (entryRow?.doc.status !== 'waiting') return 'the patient is no longer waiting';
      return { site: siteRow.doc, patient, appointment: null, provider: '', ticketCode: entryRow.doc.ticketCode };
    }
    const [appointmentRow] = await this.deps.db.query<{ doc: Appointment; provider: string | null }>(
      `SELECT a.doc, pr.doc->>'displayName' AS provider
         FROM appointments a LEFT JOIN providers pr ON pr.id = (a.doc->>'providerId')::uuid
        WHERE a.id = $1 AND NOT a.deleted`,
      [row.appointment_id],
    );
    const appointment = appointmentRow?.doc;
    if (appointment === undefined || appointment.status !== 'booked') return 'the appointment is no longer booked';
    if (appointment.start !== row.planned_start) return 'the appointment was moved';
    if (Date.parse(appointment.start) <= this.now().getTime()) return 'the appointment has started';
    return { site: siteRow.doc, patient, appointment, provider: appointmentRow!.provider ?? '', ticketCode: null };
  }

  /** Writes the code's hash onto the appointment and renders the message; answers the send itself. */
  private async prepare(
    row: MessageRow,
    context: Context,
  ): Promise<(channel: EmailChannel | SmsChannel) => Promise<{ providerMessageId: string }>> {
    const { site, patient, appointment, provider } = context;
    const language = reminderLanguageFor(patient.preferredLanguage);
    if (row.kind === 'almost-turn') {
      const body = reminderCatalogues[language].almostTurn(site.name, context.ticketCode ?? '');
      return (channel) => (channel as SmsChannel).send({ id: row.id, to: patient.phone!, body });
    }
    const code = await issueAppointmentCode(this.deps, this.deps.keys, appointment!, site.timezone);
    const base = this.deps.publicUrl();
    const content: ReminderContent = {
      language,
      clinic: site.name,
      address: site.address ?? null,
      start: appointment!.start,
      timeZone: site.timezone,
      provider,
      givenName: patient.givenName,
      code,
      manageUrl: `${base}/r/${await signAppointmentLink(this.deps.keys, appointment!, language)}`,
      unsubscribeUrl: `${base}/r/unsubscribe/${await signUnsubscribeLink(this.deps.keys, patient.id, language)}`,
    };
    if (row.channel === 'email') {
      const email = await reminderEmail(content);
      return (channel) => (channel as EmailChannel).send({ id: row.id, to: patient.email!, ...email });
    }
    const body = reminderSms(content);
    return (channel) => (channel as SmsChannel).send({ id: row.id, to: patient.phone!, body });
  }

  private async record(
    messageId: string,
    provider: string,
    providerMessageId: string | null,
    error: string | null,
    durationMs: number,
  ): Promise<void> {
    await this.deps.db.query(
      `INSERT INTO reminder_attempts (message_id, provider, provider_message_id, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5)`,
      [messageId, provider, providerMessageId, error, durationMs],
    );
  }

  private async finish(
    row: MessageRow,
    state: 'sent' | 'failed' | 'cancelled' | 'uncertain',
    detail: { reason?: string; error?: string; providerMessageId?: string; attempts?: number },
  ): Promise<void> {
    const [updated] = await this.deps.db.query<MessageRow>(
      `UPDATE reminder_messages
          SET state = $2, reason = coalesce($3, reason), last_error = coalesce($4, last_error),
              provider_message_id = coalesce($5, provider_message_id), sending_since = NULL,
              sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [row.id, state, detail.reason ?? null, detail.error ?? null, detail.providerMessageId ?? null],
    );
    if (state === 'failed') this.deps.log.warn({ messageId: row.id, attempts: detail.attempts }, 'reminder given up');
    if (updated !== undefined && state !== 'cancelled') await this.deps.onDelivery?.(updated);
  }
}

interface Context {
  site: Site;
  patient: Patient;
  appointment: Appointment | null;
  provider: string;
  /** The ticket an "almost your turn" SMS names. */
  ticketCode: string | null;
}

class SendTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeout(`no answer from the provider within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
