import {
  changeRecord,
  createRecord,
  freedSlotOf,
  nameBasedId,
  nextForFreedSlot,
  type Actor,
  type Appointment,
  type Notice,
  type NoticeKind,
} from '@medisync/shared/domain';
import { writeRecord, type ApiDeps } from '#api/service';
import type { FeedChange } from '#changes/read';
import { serverClock } from '#sync/rules';
import type { MessageRow } from './scheduler.js';

const SERVER: Actor = { id: 'server', role: 'server', source: 'server' };
const DAY_MS = 86_400_000;
/** How long a handled notice stays on the desks. */
const NOTICE_DAYS = 30;

/** What the server sets on a notice; staff own `readAt` and `readBy`. */
type NoticeFields = Pick<Notice, 'kind' | 'siteId' | 'appointmentId' | 'patientId'> &
  Partial<Pick<Notice, 'offer' | 'delivery' | 'flag' | 'readAt'>>;

/**
 * Staff notices (docs/architecture.md §9.6), raised by the server through the
 * same write path as any record, so desks hear of them live. A notice's id is
 * named after what it is about (ids.ts), so every instance raising it, or one
 * instance raising it twice, makes one notice; raising it again updates only
 * what the server owns and never takes back a desk's "read".
 */
export class Notices {
  constructor(private readonly deps: ApiDeps) {}

  async raise(key: string, fields: NoticeFields): Promise<Notice> {
    const id = nameBasedId('notice', key);
    const [row] = await this.deps.db.query<{ doc: Notice }>(`SELECT doc FROM notices WHERE id = $1`, [id]);
    const record =
      row === undefined
        ? createRecord(
            'notices',
            {
              id,
              raisedAt: new Date().toISOString(),
              offer: null,
              delivery: null,
              flag: null,
              readAt: null,
              readBy: null,
              ...fields,
            },
            serverClock,
            SERVER,
          )
        : changeRecord(
            'notices',
            row.doc,
            { offer: fields.offer ?? null, delivery: fields.delivery ?? null, flag: fields.flag ?? null },
            serverClock,
          );
    // Unchanged, the write stores nothing and raises nothing (docs/architecture.md §3.6).
    return writeRecord(this.deps, 'notices', record, fields.siteId);
  }

  /**
   * Handled notices leave the desks after `days`: a desk replicates all of
   * them, and a site sending hundreds of reminders a day would otherwise carry
   * every "message sent" forever. Removed as tombstones through the write
   * path, so desks drop them too; any instance may run it, repeats change
   * nothing. Answers how many it removed.
   */
  async expire(days = NOTICE_DAYS, limit = 200): Promise<number> {
    const before = new Date(Date.now() - days * DAY_MS).toISOString();
    const rows = await this.deps.db.query<{ doc: Notice }>(
      `SELECT doc FROM notices WHERE NOT deleted AND doc->>'readAt' IS NOT NULL AND doc->>'raisedAt' < $1
        ORDER BY seq LIMIT $2`,
      [before, limit],
    );
    for (const { doc } of rows) {
      await writeRecord(this.deps, 'notices', { ...doc, _deleted: true } as Notice, doc.siteId);
    }
    return rows.length;
  }

  /** A message's delivery, as the scheduler records it: sent ones are born read, the rest wait for someone. */
  async delivery(message: MessageRow): Promise<void> {
    if (message.state !== 'sent' && message.state !== 'failed' && message.state !== 'uncertain') return;
    await this.raise(`delivery:${message.id}`, {
      kind: 'message-delivery',
      siteId: message.site_id,
      appointmentId: message.appointment_id,
      patientId: message.patient_id,
      delivery: {
        messageId: message.id,
        purpose: message.kind,
        channel: message.channel,
        state: message.state,
        attempts: message.attempts,
        error: message.last_error ?? message.reason,
      },
      ...(message.state === 'sent' ? { readAt: new Date().toISOString() } : {}),
    });
  }

  async confirmed(appointment: Appointment): Promise<void> {
    await this.raise(`patient-confirmed:${appointment.id}`, {
      kind: 'patient-confirmed',
      siteId: appointment.siteId,
      appointmentId: appointment.id,
      patientId: appointment.patientId,
    });
  }

  /**
   * A patient cancelled from a reminder: the desk is told, and when someone on
   * the waitlist suits the freed time (the booking rule of
   * shared/src/domain/booking.ts), the desk is offered to book them into it.
   */
  async cancelled(appointment: Appointment): Promise<void> {
    await this.raise(`patient-cancelled:${appointment.id}`, {
      kind: 'patient-cancelled',
      siteId: appointment.siteId,
      appointmentId: appointment.id,
      patientId: appointment.patientId,
    });
    const freed = freedSlotOf(appointment);
    const waitlist = await this.deps.db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments
        WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'status' = 'waitlist'
          AND doc->>'providerId' = $2 AND doc->>'start' <= $3 AND doc->>'end' >= $4`,
      [appointment.siteId, freed.providerId, freed.start, freed.end],
    );
    if (waitlist.length === 0) return;
    // Any booking of the candidates around that time, with any provider, rules them out.
    const around = await this.deps.db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments
        WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'patientId' = ANY($2::text[])
          AND doc->>'start' < $3 AND doc->>'start' >= $4`,
      [
        appointment.siteId,
        waitlist.map((w) => w.doc.patientId),
        freed.end,
        new Date(Date.parse(freed.start) - DAY_MS).toISOString(),
      ],
    );
    const next = nextForFreedSlot(
      freed,
      waitlist.map((w) => w.doc),
      around.map((a) => a.doc),
      new Date(),
    );
    if (next === null) return;
    await this.raise(`waitlist-offer:${appointment.id}:${freed.start}`, {
      kind: 'waitlist-offer',
      siteId: appointment.siteId,
      appointmentId: appointment.id,
      patientId: next.patientId,
      offer: { waitlistEntryId: next.id, providerId: freed.providerId, start: freed.start, end: freed.end },
    });
  }

  /**
   * What every instance hears from the committed-change feed: a booking made
   * online (through the API) and an attention flag raised. Each instance raises
   * the same notices; their ids make them one.
   */
  async fromFeed(change: FeedChange): Promise<void> {
    if (change.collection === 'notices') return;
    for (const record of change.records) {
      const doc = record.doc as unknown as {
        id: string;
        siteId?: string;
        patientId?: string;
        statusLog?: { source: string }[];
        attention?: Record<string, { code: string; reason: string }>;
      };
      const siteId = doc.siteId ?? change.siteId;
      const patientId = change.collection === 'patients' ? doc.id : (doc.patientId ?? null);
      const appointmentId = change.collection === 'appointments' ? doc.id : null;
      if (change.collection === 'appointments' && record.changed === null && doc.statusLog?.[0]?.source === 'api') {
        await this.raise(`online-booking:${doc.id}`, {
          kind: 'online-booking' satisfies NoticeKind,
          siteId,
          appointmentId,
          patientId,
        });
      }
      for (const key of record.raised) {
        const flag = doc.attention?.[key];
        if (flag === undefined) continue;
        await this.raise(`attention:${change.collection}:${doc.id}:${key}`, {
          kind: 'attention',
          siteId,
          appointmentId,
          patientId,
          flag: { collection: change.collection, recordId: doc.id, code: flag.code, reason: flag.reason },
        });
      }
    }
  }
}
