import {
  changeRecord,
  HybridClock,
  holdsSlot,
  slotHoldingStatuses,
  localDateAt,
  newId,
  normalizeRecord,
  type AttentionFlag,
  type Appointment,
  type CollectionName,
  type Patient,
  type QueueEntry,
} from '@medisync/shared/domain';
import type { Tx } from '#db/db';
import type { Doc, ServerRule, ServerRules } from './store.js';

/** The server's own clock: unique per process, so concurrent instances never tie. */
export const serverClock = new HybridClock(`server-${newId().slice(-12)}`);

/**
 * Raises a flag once. A flag already there (open or resolved) is left alone,
 * so a rule applied to its own output changes nothing and a flag someone
 * resolved is not raised again by the same clash.
 */
function raise(collection: CollectionName, record: Doc, key: string, code: AttentionFlag['code'], reason: string): Doc {
  if (record.attention[key]) return record;
  const flag: AttentionFlag = { code, reason, raisedAt: new Date().toISOString(), resolvedAt: null, resolvedBy: null };
  return {
    ...normalizeRecord(collection, { ...record, attention: { ...record.attention, [key]: flag } }),
    _deleted: record._deleted,
  };
}

/** MRNs come from one server sequence, so desks registering offline never hand out the same one. */
const assignMrn: ServerRule = async (tx, record) => {
  const patient = record as Patient & { _deleted?: boolean };
  if (patient.mrn !== null) return record;
  const { rows } = await tx.query<{ n: string }>(`SELECT nextval('mrn_seq') AS n`);
  const { _deleted, ...rest } = patient;
  return { ...changeRecord('patients', rest, { mrn: `MRN-${rows[0]!.n}` }, serverClock), _deleted } as Doc;
};

/** The same family name and date of birth registered twice, typically on two desks offline. */
const flagProbableDuplicatePatient: ServerRule = async (tx, record) => {
  const patient = record as Patient;
  if (patient.mergedInto !== null || !patient.active) return record;
  const others = await ids(
    tx,
    `SELECT id FROM patients
      WHERE id <> $1 AND NOT deleted AND site_ids @> ARRAY[$2::uuid]
        AND lower(doc->>'familyName') = lower($3) AND doc->>'dob' = $4
        AND doc->>'mergedInto' IS NULL AND (doc->>'active')::boolean`,
    [patient.id, patient.siteId, patient.familyName, patient.dob],
  );
  return others.reduce(
    (doc, other) =>
      raise(
        'patients',
        doc,
        `probable-duplicate-patient:${other}`,
        'probable-duplicate-patient',
        `same family name and date of birth as patient ${other}`,
      ),
    record,
  );
};

/** Two bookings of one provider at overlapping times: only the server sees both when they were made offline. */
const flagOverlappingBooking: ServerRule = async (tx, record) => {
  const appointment = record as Appointment;
  if (!holdsSlot(appointment.status)) return record;
  const others = await ids(
    tx,
    `SELECT id FROM appointments
      WHERE id <> $1 AND NOT deleted AND doc->>'providerId' = $2
        AND doc->>'status' = ANY($3::text[]) AND doc->>'start' < $5 AND doc->>'end' > $4`,
    [appointment.id, appointment.providerId, slotHoldingStatuses, appointment.start, appointment.end],
  );
  return others.reduce(
    (doc, other) =>
      raise(
        'appointments',
        doc,
        `overlapping-booking:${other}`,
        'overlapping-booking',
        `the provider is also booked for appointment ${other} at an overlapping time`,
      ),
    record,
  );
};

/** A ticket code handed out twice on one day at one site can call the wrong patient. */
const flagDuplicateTicketCode: ServerRule = async (tx, record) => {
  const entry = record as QueueEntry;
  const { rows } = await tx.query<{ timezone: string | null }>(
    `SELECT doc->>'timezone' AS timezone FROM sites WHERE id = $1`,
    [entry.siteId],
  );
  const day = localDateAt(new Date(entry.checkedInAt), rows[0]?.timezone ?? 'UTC');
  const others = await ids(
    tx,
    `SELECT id FROM queue_entries
      WHERE id <> $1 AND NOT deleted AND site_ids @> ARRAY[$2::uuid] AND doc->>'ticketCode' = $3
        AND doc->>'checkedInAt' >= $4 AND doc->>'checkedInAt' < $5`,
    // A day is at most 26 hours from local midnight in any zone; the exact check follows.
    [entry.id, entry.siteId, entry.ticketCode, shiftDays(day, -1), shiftDays(day, 2)],
  );
  const sameDay: string[] = [];
  for (const other of others) {
    const { rows: found } = await tx.query<{ at: string }>(
      `SELECT doc->>'checkedInAt' AS at FROM queue_entries WHERE id = $1`,
      [other],
    );
    if (localDateAt(new Date(found[0]!.at), rows[0]?.timezone ?? 'UTC') === day) sameDay.push(other);
  }
  return sameDay.reduce(
    (doc, other) =>
      raise(
        'queueEntries',
        doc,
        `duplicate-ticket-code:${other}`,
        'duplicate-ticket-code',
        `ticket ${entry.ticketCode} was also given to queue entry ${other} today`,
      ),
    record,
  );
};

export const serverRules: ServerRules = {
  patients: [assignMrn, flagProbableDuplicatePatient],
  appointments: [flagOverlappingBooking],
  queueEntries: [flagDuplicateTicketCode],
};

async function ids(tx: Tx, sql: string, params: unknown[]): Promise<string[]> {
  return (await tx.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
}

function shiftDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString();
}
