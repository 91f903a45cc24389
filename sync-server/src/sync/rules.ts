import {
  HybridClock,
  holdsSlot,
  slotHoldingStatuses,
  localDateAt,
  newId,
  normalizeRecord,
  patchRecord,
  type AttentionFlag,
  type Appointment,
  type CollectionName,
  type Patient,
  ENDED_WITHOUT_VISIT,
  type QueueEntry,
} from '@medisync/shared/domain';
import type { Tx } from '#db/db';
import type { BatchRule, Doc, RuleRow, ServerRules } from './store.js';

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

/**
 * For each row of a batch, the records it clashes with as if the batch's rows
 * were stored one after another: the stored records `stored` found for it (less
 * the row itself, and less the rows before it in the batch, whose new state
 * counts instead), and the rows before it that `clash` with it. Only rows of
 * the same `keyOf` can clash, so a batch of hundreds is not compared pair by pair.
 */
function clashesInOrder(
  rows: readonly RuleRow[],
  stored: readonly string[][],
  keyOf: (record: Doc) => string,
  clash: (earlier: Doc, row: Doc) => boolean,
): string[][] {
  const earlier = new Set<string>();
  const earlierByKey = new Map<string, Doc[]>();
  return rows.map(({ record }, i) => {
    const found = stored[i]!.filter((id) => id !== record.id && !earlier.has(id));
    const key = keyOf(record);
    let sameKey = earlierByKey.get(key);
    if (sameKey === undefined) earlierByKey.set(key, (sameKey = []));
    for (const other of sameKey) if (clash(other, record)) found.push(other.id);
    sameKey.push(record);
    earlier.add(record.id);
    return [...new Set(found)].sort();
  });
}

/**
 * Closes a LATERAL subquery that looks up the records one batch row clashes
 * with. `OFFSET 0` keeps PostgreSQL from folding it into a join: knowing a
 * batch holds hundreds of rows, the planner would hash them and scan every
 * record of the table, a cost that grows with the site's history, where one
 * index probe per row costs the same at any size.
 */
const PROBE_EACH = 'OFFSET 0';

/** Groups rows returned per batch position `i` (1-based, from WITH ORDINALITY) into one list per row. */
function byPosition<R extends { i: string }>(count: number, found: R[]): R[][] {
  const lists = Array.from({ length: count }, (): R[] => []);
  for (const row of found) lists[Number(row.i) - 1]!.push(row);
  return lists;
}

/** Raises one flag per clash, for every row that has any. */
function raiseEach(
  collection: CollectionName,
  rows: readonly RuleRow[],
  clashes: readonly string[][],
  flag: (row: Doc, other: string) => { key: string; code: AttentionFlag['code']; reason: string },
): Doc[] {
  return rows.map(({ record }, i) =>
    clashes[i]!.reduce((doc, other) => {
      const { key, code, reason } = flag(record, other);
      return raise(collection, doc, key, code, reason);
    }, record),
  );
}

/** MRNs come from one server sequence, so desks registering offline never hand out the same one. */
const assignMrn: BatchRule = {
  batch: async (tx, rows) => {
    const missing = rows.filter(({ record }) => (record as unknown as Patient).mrn === null).length;
    if (missing === 0) return rows.map((r) => r.record);
    const { rows: numbers } = await tx.query<{ n: string }>(
      `SELECT nextval('mrn_seq') AS n FROM generate_series(1, $1::int)`,
      [missing],
    );
    let next = 0;
    return rows.map(({ record }) => {
      const { _deleted, ...patient } = record as unknown as Patient & { _deleted: boolean };
      if (patient.mrn !== null) return record;
      return {
        ...patchRecord('patients', patient, { mrn: `MRN-${numbers[next++]!.n}` }, serverClock),
        _deleted,
      } as Doc;
    });
  },
};

const looksLikeAnyone = (p: Patient) => p.mergedInto === null && p.active;
const identityOf = (p: Patient) => `${p.siteId}|${p.familyName.toLowerCase()}|${p.dob}`;

/** The same family name and date of birth registered twice, typically on two desks offline. */
const flagProbableDuplicatePatient: BatchRule = {
  batch: async (tx, rows) => {
    const patients = rows.map((r) => r.record as unknown as Patient & { _deleted: boolean });
    const { rows: found } = await tx.query<{ i: string; id: string }>(
      `SELECT k.i, p.id
         FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS k(site, family, dob, i)
         CROSS JOIN LATERAL (
           SELECT p.id FROM patients p
            WHERE lower(p.doc->>'familyName') = lower(k.family) AND p.doc->>'dob' = k.dob
              AND NOT p.deleted AND p.site_ids @> ARRAY[k.site]
              AND p.doc->>'mergedInto' IS NULL AND (p.doc->>'active')::boolean
           ${PROBE_EACH}
         ) p`,
      [patients.map((p) => p.siteId), patients.map((p) => p.familyName), patients.map((p) => p.dob)],
    );
    const stored = byPosition(rows.length, found).map((list) => list.map((r) => r.id));
    const clashes = clashesInOrder(
      rows,
      stored,
      (row) => identityOf(row as unknown as Patient),
      (earlier) => {
        const a = earlier as unknown as Patient & { _deleted: boolean };
        return !a._deleted && looksLikeAnyone(a);
      },
    ).map((ids, i) => (looksLikeAnyone(patients[i]!) ? ids : []));
    return raiseEach('patients', rows, clashes, (_row, other) => ({
      key: `probable-duplicate-patient:${other}`,
      code: 'probable-duplicate-patient',
      reason: `same family name and date of birth as patient ${other}`,
    }));
  },
};

const DAY_MS = 86_400_000;
/** Longer than any local day (DST days included): instants of one day are closer than this. */
const SAME_DAY_WITHIN_MS = 26 * 3_600_000;

/**
 * The other appointments of each one's provider whose time overlaps its own,
 * with a status in `statuses` (any when omitted), in one query for all of them.
 * Bounded on both sides, so its cost does not grow with the provider's history:
 * a visit of at most a day that overlaps starts less than a day before this one
 * starts (the provider-start index); longer visits have a small index of their
 * own (migration 0007). Stored times are ISO-8601 UTC strings of one format, so
 * they compare as text.
 */
async function overlapsOf(
  tx: Tx,
  appointments: readonly Pick<Appointment, 'id' | 'providerId' | 'start' | 'end'>[],
  statuses?: readonly string[],
): Promise<Appointment[][]> {
  if (appointments.length === 0) return [];
  const others = `a.id <> k.id AND NOT a.deleted AND a.doc->>'providerId' = k.provider
    AND a.doc->>'start' < k.finish AND a.doc->>'end' > k.start
    ${statuses ? `AND a.doc->>'status' = ANY($6::text[])` : ''}`;
  const { rows } = await tx.query<{ i: string; doc: Appointment }>(
    `SELECT k.i, a.doc
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
            WITH ORDINALITY AS k(id, provider, start, finish, day_before, i)
       CROSS JOIN LATERAL (
         SELECT a.doc FROM appointments a WHERE ${others} AND a.doc->>'start' > k.day_before
         UNION ALL
         SELECT a.doc FROM appointments a WHERE ${others} AND a.doc->>'start' <= k.day_before
           AND iso_instant(a.doc->>'end') - iso_instant(a.doc->>'start') > interval '1 day'
       ) a`,
    [
      appointments.map((a) => a.id),
      appointments.map((a) => a.providerId),
      appointments.map((a) => a.start),
      appointments.map((a) => a.end),
      appointments.map((a) => new Date(Date.parse(a.start) - DAY_MS).toISOString()),
      ...(statuses ? [statuses] : []),
    ],
  );
  return byPosition(appointments.length, rows).map((list) => list.map((r) => r.doc));
}

/** The provider's other appointments whose time overlaps `appointment`'s (see overlapsOf). */
export async function overlappingAppointments(
  tx: Tx,
  appointment: Pick<Appointment, 'id' | 'providerId' | 'start' | 'end'>,
  statuses?: readonly string[],
): Promise<Appointment[]> {
  return (await overlapsOf(tx, [appointment], statuses))[0]!;
}

/** Whether a row is new, or any of `fields` (its tombstone flag included) changed. */
function newOrChanged({ record, previous }: RuleRow, fields: readonly string[]): boolean {
  if (previous === undefined) return true;
  const [next, before] = [record as unknown as Record<string, unknown>, previous as unknown as Record<string, unknown>];
  return fields.some((field) => next[field] !== before[field]);
}

/**
 * Runs `judge` on the rows `canClash` picks. The others are stored as they are,
 * and the rows judged find them stored.
 */
async function judgeOnly(
  batch: readonly RuleRow[],
  canClash: (row: RuleRow) => boolean,
  judge: (rows: RuleRow[]) => Promise<Doc[]>,
): Promise<Doc[]> {
  const judged = batch.flatMap((row, i) => (canClash(row) ? [i] : []));
  const out = batch.map((row) => row.record);
  if (judged.length === 0) return out;
  const flagged = await judge(judged.map((i) => batch[i]!));
  judged.forEach((i, k) => (out[i] = flagged[k]!));
  return out;
}

/**
 * Whether a write can make a clash of bookings: a new appointment, or one whose
 * provider, time or hold on its slot changed. A check-in, a no-show score or a
 * note leaves the slot as it was: whatever it overlaps was flagged when that
 * booking was made, on the booking that made the clash.
 */
const changesSlot = (row: RuleRow): boolean =>
  newOrChanged(row, ['providerId', 'start', 'end', '_deleted']) ||
  holdsSlot((row.record as unknown as Appointment).status) !==
    holdsSlot((row.previous as unknown as Appointment).status);

/** Two bookings of one provider at overlapping times: only the server sees both when they were made offline. */
const flagOverlappingBooking: BatchRule = {
  batch: (tx, batch) =>
    judgeOnly(batch, changesSlot, async (rows) => {
      const appointments = rows.map((r) => r.record as unknown as Appointment & { _deleted: boolean });
      const stored = (await overlapsOf(tx, appointments, slotHoldingStatuses)).map((list) => list.map((a) => a.id));
      const clashes = clashesInOrder(
        rows,
        stored,
        (row) => (row as unknown as Appointment).providerId,
        (earlier, row) => {
          const [a, b] = [earlier as unknown as Appointment & { _deleted: boolean }, row as unknown as Appointment];
          return !a._deleted && holdsSlot(a.status) && a.start < b.end && a.end > b.start;
        },
      ).map((ids, i) => (holdsSlot(appointments[i]!.status) ? ids : []));
      return raiseEach('appointments', rows, clashes, (_row, other) => ({
        key: `overlapping-booking:${other}`,
        code: 'overlapping-booking',
        reason: `the provider is also booked for appointment ${other} at an overlapping time`,
      }));
    }),
};

/**
 * Whether a queue write can make two entries share a ticket: a new entry, or
 * one whose ticket, day or site changed, or that came back from deletion. A
 * call, a room or a done leaves the ticket as it was: whatever it shares was
 * flagged when the entry was made, on the entry that made the clash.
 */
const changesTicket = (row: RuleRow): boolean => newOrChanged(row, ['ticketCode', 'checkedInAt', 'siteId', '_deleted']);

/** A ticket code handed out twice on one day at one site can call the wrong patient. */
const flagDuplicateTicketCode: BatchRule = {
  batch: (tx, batch) =>
    judgeOnly(batch, changesTicket, async (rows) => {
      const entries = rows.map((r) => r.record as unknown as QueueEntry & { _deleted: boolean });
      // Each entry's site timezone comes with its probe, in one round trip. Two instants of one local day
      // are less than 26 hours apart in any zone, so the probe reads that far around the entry (stored
      // times are all ISO with milliseconds and Z, so they compare as text); the day is checked below.
      const { rows: found } = await tx.query<{
        i: string;
        timezone: string | null;
        id: string | null;
        at: string | null;
      }>(
        `SELECT k.i, s.doc->>'timezone' AS timezone, q.id, q.at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(site, ticket, after, before, i)
           LEFT JOIN sites s ON s.id = k.site
           LEFT JOIN LATERAL (
             SELECT q.id, q.doc->>'checkedInAt' AS at FROM queue_entries q
              WHERE q.doc->>'ticketCode' = k.ticket
                AND q.doc->>'checkedInAt' >= k.after AND q.doc->>'checkedInAt' < k.before
                AND NOT q.deleted AND q.site_ids @> ARRAY[k.site]
             ${PROBE_EACH}
           ) q ON true`,
        [
          entries.map((e) => e.siteId),
          entries.map((e) => e.ticketCode),
          entries.map((e) => new Date(Date.parse(e.checkedInAt) - SAME_DAY_WITHIN_MS).toISOString()),
          entries.map((e) => new Date(Date.parse(e.checkedInAt) + SAME_DAY_WITHIN_MS).toISOString()),
        ],
      );
      const zoneOf = new Map(found.map((r) => [entries[Number(r.i) - 1]!.siteId, r.timezone ?? 'UTC']));
      const dayOf = (entry: Pick<QueueEntry, 'siteId' | 'checkedInAt'>) =>
        localDateAt(new Date(entry.checkedInAt), zoneOf.get(entry.siteId) ?? 'UTC');
      const days = entries.map(dayOf);
      // An entry whose probe found nothing still has its row, holding its site's timezone.
      const held = found.filter((r): r is typeof r & { id: string; at: string } => r.id !== null);
      const stored = byPosition(rows.length, held).map((list, i) =>
        list.filter((r) => dayOf({ siteId: entries[i]!.siteId, checkedInAt: r.at }) === days[i]).map((r) => r.id),
      );
      const clashes = clashesInOrder(
        rows,
        stored,
        (row) => {
          const entry = row as unknown as QueueEntry;
          return `${entry.siteId}|${entry.ticketCode}`;
        },
        (earlier, row) => {
          const [a, b] = [earlier as unknown as QueueEntry & { _deleted: boolean }, row as unknown as QueueEntry];
          return !a._deleted && dayOf(a) === dayOf(b);
        },
      );
      return raiseEach('queueEntries', rows, clashes, (row, other) => ({
        key: `duplicate-ticket-code:${other}`,
        code: 'duplicate-ticket-code',
        reason: `ticket ${(row as unknown as QueueEntry).ticketCode} was also given to queue entry ${other} today`,
      }));
    }),
};

/**
 * One appointment checked in twice, typically on two desks before they synced:
 * the patient would be called twice or sit in two places of the order. The
 * queue order keeps the earliest ticket (see queue-order.ts); this flags the
 * other for the desk.
 */
const flagDuplicateArrival: BatchRule = {
  batch: async (tx, rows) => {
    const entries = rows.map((r) => r.record as unknown as QueueEntry & { _deleted: boolean });
    // An arrival is judged when it arrives; later steps of either entry raise nothing new.
    const judged = rows.map(
      (r, i) => r.previous === undefined && entries[i]!.appointmentId !== null && !entries[i]!._deleted,
    );
    // Calls, rooms and walk-ins: nothing to look up.
    if (!judged.includes(true)) return rows.map((r) => r.record);
    const { rows: found } = await tx.query<{ i: string; id: string; ticket: string }>(
      `SELECT k.i, q.id, q.ticket
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS k(site, appointment, i)
         CROSS JOIN LATERAL (
           SELECT q.id, q.doc->>'ticketCode' AS ticket FROM queue_entries q
            WHERE q.doc->>'appointmentId' = k.appointment
              AND NOT q.deleted AND q.site_ids @> ARRAY[k.site] AND NOT (q.doc->>'status' = ANY($3::text[]))
           ${PROBE_EACH}
         ) q`,
      [entries.map((e) => e.siteId), entries.map((e) => e.appointmentId), ENDED_WITHOUT_VISIT],
    );
    const ticketOf = new Map([
      ...found.map((r) => [r.id, r.ticket] as const),
      ...entries.map((e) => [e.id, e.ticketCode] as const),
    ]);
    const stored = byPosition(rows.length, found).map((list) => list.map((r) => r.id));
    const clashes = clashesInOrder(
      rows,
      stored,
      (row) => String((row as unknown as QueueEntry).appointmentId),
      (earlier) => {
        const a = earlier as unknown as QueueEntry & { _deleted: boolean };
        return !a._deleted && !ENDED_WITHOUT_VISIT.includes(a.status);
      },
    ).map((ids, i) => (judged[i] ? ids : []));
    return raiseEach('queueEntries', rows, clashes, (_row, other) => ({
      key: `duplicate-arrival:${other}`,
      code: 'duplicate-arrival',
      reason: `this appointment was checked in twice: it is also queued with ticket ${ticketOf.get(other)} (queue entry ${other})`,
    }));
  },
};

export const serverRules: ServerRules = {
  patients: [assignMrn, flagProbableDuplicatePatient],
  appointments: [flagOverlappingBooking],
  queueEntries: [flagDuplicateTicketCode, flagDuplicateArrival],
};
