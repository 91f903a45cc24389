import { createRecord, HybridClock, newId, type Actor, type CollectionName } from '@medisync/shared/domain';
import type pg from 'pg';
import { tableOf } from '#sync/tables';

/** Seed records for the benchmarks, and the raw INSERT that is both a seeding tool and the push baseline. */

const PAGE = 500;
const clock = new HybridClock('bench');
const actor: Actor = { id: 'bench', role: 'server', source: 'server' };

/**
 * Records are made once per site and kind with the domain's own constructor and
 * then varied, so seeding 200,000 of them takes seconds; each still passes the
 * shared schema (the pushes below go through it).
 */
const templates = new Map<string, Record<string, unknown>>();
function template(kind: 'patients' | 'appointments', siteId: string, author: Actor) {
  const key = `${kind}:${siteId}:${author.id}`;
  let found = templates.get(key);
  if (!found) {
    const fields =
      kind === 'patients'
        ? {
            id: newId(),
            siteId,
            mrn: null,
            givenName: 'Given',
            familyName: 'Family',
            dob: '1980-01-01',
            sex: 'female',
            phone: null,
            email: null,
            address: null,
            preferredLanguage: 'en',
            insurance: null,
            active: true,
            mergedInto: null,
          }
        : {
            id: newId(),
            siteId,
            patientId: newId(),
            providerId: newId(),
            roomId: null,
            start: new Date(0).toISOString(),
            end: new Date(60_000).toISOString(),
            visitType: 'follow-up',
            status: 'booked',
            copayCents: null,
            notes: null,
          };
    found = createRecord(kind, fields as never, clock, author) as unknown as Record<string, unknown>;
    templates.set(key, found);
  }
  return found;
}

export function patientRecord(siteId: string, i: number) {
  return {
    ...template('patients', siteId, actor),
    id: newId(),
    mrn: `MRN-${siteId.slice(-6)}-${i}`,
    givenName: `Given${i}`,
    familyName: `Family${i % 9973}`,
    dob: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
    sex: i % 2 === 0 ? 'female' : 'male',
    phone: `+1 555 ${String(i).padStart(7, '0')}`,
  } as { id: string; mrn: string | null };
}

export function appointmentRecord(
  siteId: string,
  patientId: string,
  providerId: string,
  start: number,
  author: Actor = actor,
  minutes = 15,
) {
  return {
    ...template('appointments', siteId, author),
    id: newId(),
    patientId,
    providerId,
    start: new Date(start).toISOString(),
    end: new Date(start + minutes * 60_000).toISOString(),
  } as { id: string };
}

/** The baseline writer: batched INSERTs of the documents as they are, one statement per batch. */
export async function rawInsert(pool: pg.Pool, collection: CollectionName, siteId: string, docs: { id: string }[]) {
  for (let i = 0; i < docs.length; i += PAGE) {
    await pool.query(
      `INSERT INTO ${tableOf[collection]} (id, site_ids, seq, deleted, doc)
       SELECT (d->>'id')::uuid, ARRAY[$1::uuid], nextval('change_seq'), false, d
         FROM jsonb_array_elements($2::jsonb) AS d`,
      [siteId, JSON.stringify(docs.slice(i, i + PAGE))],
    );
  }
}

/** A walk-in's waiting queue entry made on a desk device, as a push row carries it. */
export function walkInEntry(siteId: string, patientId: string, ticketCode: string, deskId: string) {
  const entry = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId,
      appointmentId: null,
      patientId,
      queue: 'reception',
      ticketCode,
      priority: 'normal',
      status: 'waiting',
      checkedInAt: new Date().toISOString(),
      roomId: null,
    },
    clock,
    { id: deskId, role: 'desk', source: 'desk' },
  );
  return { newDocumentState: { ...entry, _deleted: false } };
}

/** A sync request as a device makes it; a figure for rows the server refused would measure nothing. */
export async function syncRequest<T>(baseUrl: string, token: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  const answer = (await response.json()) as T & { rejected?: { error: { message: string } }[] };
  if (answer.rejected && answer.rejected.length > 0) throw new Error(`${path}: ${answer.rejected[0]!.error.message}`);
  return answer;
}
