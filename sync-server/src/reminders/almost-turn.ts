import {
  almostTurnFor,
  consentedChannels,
  dayRangeUtc,
  localDateAt,
  newId,
  sendableAt,
  type Patient,
  type QueueEntry,
  type Site,
} from '@medisync/shared/domain';
import type { FeedChange } from '#changes/read';
import type { Db } from '#db/db';

/**
 * "Almost your turn" (docs/architecture.md §9.6): after any change to a
 * site's queue (a call, an arrival, a new priority), the first in line of each
 * queue it touched, once someone was called ahead of them, gets one SMS if
 * the site sends them and they agreed. Every instance hears the change; the
 * message's unique key (one per queue entry) queues it once.
 */
export async function queueAlmostTurn(db: Db, change: FeedChange, now = new Date()): Promise<number> {
  if (change.collection !== 'queueEntries') return 0;
  const [siteRow] = await db.query<{ doc: Site }>(`SELECT doc FROM sites WHERE id = $1 AND NOT deleted`, [
    change.siteId,
  ]);
  const site = siteRow?.doc;
  if (!site?.reminders?.enabled || !site.reminders.almostTurnSms) return 0;
  const { start, end } = dayRangeUtc(localDateAt(now, site.timezone), site.timezone);
  const queues = [...new Set(change.records.map((r) => (r.doc as unknown as QueueEntry).queue))];
  const entries = (
    await db.query<{ doc: QueueEntry }>(
      `SELECT doc FROM queue_entries
        WHERE site_ids @> ARRAY[$1::uuid] AND NOT deleted AND doc->>'queue' = ANY($2::text[])
          AND doc->>'checkedInAt' >= $3 AND doc->>'checkedInAt' < $4`,
      [site.id, queues, start.toISOString(), end.toISOString()],
    )
  ).map((r) => r.doc);
  const appointmentIds = entries.flatMap((e) => (e.appointmentId ? [e.appointmentId] : []));
  const starts = await db.query<{ id: string; start: string }>(
    `SELECT id::text, doc->>'start' AS start FROM appointments WHERE id = ANY($1::uuid[])`,
    [appointmentIds],
  );
  const options = { appointmentsById: Object.fromEntries(starts.map((a) => [a.id, { start: a.start }])) };
  let queued = 0;
  for (const queue of queues) {
    const next = almostTurnFor(entries, queue, options);
    if (next === null) continue;
    const [patientRow] = await db.query<{ doc: Patient }>(`SELECT doc FROM patients WHERE id = $1 AND NOT deleted`, [
      next.patientId,
    ]);
    if (patientRow === undefined || consentedChannels(patientRow.doc, 'almost-turn').length === 0) continue;
    const inserted = await db.query(
      `INSERT INTO reminder_messages
         (id, site_id, patient_id, appointment_id, queue_entry_id, kind, channel, dedupe_key, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, 'almost-turn', 'sms', $6, $7)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        newId(),
        site.id,
        next.patientId,
        next.appointmentId,
        next.id,
        `almost-turn:${next.id}`,
        sendableAt(site.reminders.quietHours, now, site.timezone).toISOString(),
      ],
    );
    queued += inserted.length;
  }
  return queued;
}
