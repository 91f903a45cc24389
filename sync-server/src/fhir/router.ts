import {
  addDays,
  appointmentStatuses,
  dayRangeUtc,
  fhirDateWindow,
  freeSlots,
  holdsSlot,
  localDateAt,
  matchesFhirDates,
  text,
  type AnyRecord,
  type Appointment,
  type CollectionName,
  type Schedule,
} from '@medisync/shared/domain';
import express, { type Request, type Response } from 'express';
import jsonPatch, { type Operation as PatchOperation } from 'fast-json-patch';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { apiClientOf, requireApiClient, requireScope } from '#api-clients/authenticate';
import { grants, type Scope } from '#api-clients/scopes';
import { countRecords, listRecords, readRecord, type Filter } from '#api/records';
import { IntegrationService, type ApiDeps } from '#api/service';
import { requestOrigin } from '#auth/authenticate';
import { billingSearch, toFhirClaim, toFhirInvoice } from '#billing/fhir';
import { HttpError } from '#http/errors';
import { FHIR_JSON, operationOutcomeErrors, sendFhir } from './outcome.js';
import {
  MRN_SYSTEM,
  parseSlotId,
  toAppointment,
  toEncounter,
  toLocation,
  toPatient,
  toPractitioner,
  toSchedule,
  toSlot,
} from './resources.js';
import {
  COUNT_DEFAULT,
  COUNT_MAX,
  countOf,
  countOnly,
  dateFilter,
  dateSearchesOf,
  invalid,
  matchNothing,
  queryOf,
  searchUrl,
  valuesOf,
} from './search.js';

const JSON_PATCH = 'application/json-patch+json';
const DAY_MS = 86_400_000;
/** The most site-local days one Slot search may cover: slots are computed, so the range bounds the work. */
export const SLOT_SEARCH_MAX_DAYS = 31;
/** The most resources one `_revinclude` adds to a page. */
const REVINCLUDE_MAX = 500;

type Mapper = (record: never) => object;
interface IncludeTarget {
  field: string;
  collection: CollectionName;
  scope: Scope;
  map: Mapper;
}
/** `_include` values: the references a resource of the page holds, and where they lead. */
const INCLUDES: Record<string, IncludeTarget[]> = {
  'Appointment:patient': [{ field: 'patientId', collection: 'patients', scope: 'patients:read', map: toPatient }],
  'Appointment:practitioner': [
    { field: 'providerId', collection: 'providers', scope: 'schedules:read', map: toPractitioner },
  ],
  'Appointment:location': [{ field: 'roomId', collection: 'rooms', scope: 'schedules:read', map: toLocation }],
  'Appointment:actor': [
    { field: 'patientId', collection: 'patients', scope: 'patients:read', map: toPatient },
    { field: 'providerId', collection: 'providers', scope: 'schedules:read', map: toPractitioner },
    { field: 'roomId', collection: 'rooms', scope: 'schedules:read', map: toLocation },
  ],
  'Encounter:patient': [{ field: 'patientId', collection: 'patients', scope: 'patients:read', map: toPatient }],
  'Encounter:appointment': [
    { field: 'appointmentId', collection: 'appointments', scope: 'appointments:read', map: toAppointment },
  ],
  'Schedule:actor': [{ field: 'providerId', collection: 'providers', scope: 'schedules:read', map: toPractitioner }],
};
/** `_revinclude` values: resources elsewhere that refer to the page's resources. */
const REVINCLUDES: Record<string, { on: string } & IncludeTarget> = {
  'Appointment:patient': {
    on: 'Patient',
    field: 'patientId',
    collection: 'appointments',
    scope: 'appointments:read',
    map: toAppointment,
  },
  'Appointment:practitioner': {
    on: 'Practitioner',
    field: 'providerId',
    collection: 'appointments',
    scope: 'appointments:read',
    map: toAppointment,
  },
  'Encounter:patient': {
    on: 'Patient',
    field: 'patientId',
    collection: 'queueEntries',
    scope: 'queue:read',
    map: toEncounter,
  },
};
const AUDITED: readonly CollectionName[] = ['patients', 'appointments', 'queueEntries'];

type Search = (q: Record<string, string>, req: Request, api: IntegrationService) => Filter[] | Promise<Filter[]>;

/**
 * HL7 FHIR R4 at `/fhir/R4`, for the same API clients and scopes as `/api/v1`.
 * Searches answer Bundles of type searchset with `self` and `next` links;
 * errors answer OperationOutcome. Slots are computed, not stored: free ones from
 * the schedule, busy ones from the bookings that hold time.
 */
export function createFhirRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use(express.json({ type: [FHIR_JSON, 'application/json', JSON_PATCH], limit: '1mb' }));
  router.get('/metadata', (req, res) => sendFhir(res, capabilityStatement(baseUrl(req))));
  router.use(requireApiClient(deps));

  const service = (res: Response) => new IntegrationService(deps, apiClientOf(res));
  const audit = async (req: Request, res: Response, action: 'read' | 'write', collection: string, ids: string[]) => {
    if (ids.length === 0) return;
    await deps.audit.record({
      actor: actorOf(apiClientOf(res)),
      action,
      collection,
      recordIds: ids,
      via: `fhir ${req.method} ${req.baseUrl}${req.route?.path ?? ''}`,
      ...requestOrigin(req),
    });
  };
  const auditReads = (req: Request, res: Response, collection: CollectionName, records: AnyRecord[]) =>
    AUDITED.includes(collection)
      ? audit(
          req,
          res,
          'read',
          collection,
          records.map((r) => r.id),
        )
      : Promise.resolve();

  /** The resources `_include` and `_revinclude` add to a page of `type`. */
  async function included(req: Request, res: Response, type: string, records: AnyRecord[]): Promise<object[]> {
    const client = apiClientOf(res);
    const allowed = (scope: Scope) => {
      if (!grants(client.scopes, scope))
        throw new HttpError(403, 'insufficient-scope', `this API client lacks the "${scope}" scope`, { scope });
    };
    const out: object[] = [];
    for (const value of valuesOf(req, '_include')) {
      const targets = value.startsWith(`${type}:`) ? INCLUDES[value] : undefined;
      if (targets === undefined) throw invalid('_include', `supported: ${supported(INCLUDES, type)}`);
      for (const target of targets) {
        allowed(target.scope);
        const ids = [...new Set(records.map((r) => (r as Record<string, unknown>)[target.field]))].filter(
          (id): id is string => typeof id === 'string',
        );
        if (ids.length === 0) continue;
        const found = await listRecords(deps.db, target.collection, client.siteId, {
          filters: [{ sql: 'id = ANY(?::uuid[])', value: ids }],
          limit: ids.length,
        });
        await auditReads(req, res, target.collection, found.data);
        out.push(...found.data.map((r) => target.map(r as never)));
      }
    }
    for (const value of valuesOf(req, '_revinclude')) {
      const rule = REVINCLUDES[value];
      if (rule === undefined || rule.on !== type)
        throw invalid('_revinclude', `supported: ${supported(REVINCLUDES, type, (r) => r.on)}`);
      allowed(rule.scope);
      if (records.length === 0) continue;
      const found = await listRecords(deps.db, rule.collection, client.siteId, {
        filters: [{ sql: `doc->>'${rule.field}' = ANY(?::text[])`, value: records.map((r) => r.id) }],
        limit: REVINCLUDE_MAX,
      });
      await auditReads(req, res, rule.collection, found.data);
      out.push(...found.data.map((r) => rule.map(r as never)));
    }
    const seen = new Set<string>();
    return out.filter((r) => {
      const key = `${(r as { resourceType: string }).resourceType}/${(r as { id: string }).id}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
  }

  /** Read and search of a resource type backed by one collection. */
  function searchable<K extends CollectionName>(
    type: string,
    collection: K,
    scope: Scope,
    map: Mapper,
    filters: Search,
    sortKey?: string,
  ) {
    router.get(`/${type}/:id`, requireScope(scope), async (req, res) => {
      const record = await readRecord(deps.db, collection, String(req.params.id), apiClientOf(res).siteId);
      await auditReads(req, res, collection, [record as AnyRecord]);
      sendFhir(res, map(record as never));
    });
    router.get(`/${type}`, requireScope(scope), async (req, res) => {
      const q = queryOf(req);
      const api = service(res);
      const where = await filters(q, req, api);
      if (countOnly(q)) {
        sendFhir(res, bundle(req, [], [], undefined, await countRecords(deps.db, collection, api.siteId, where)));
        return;
      }
      const page = await listRecords(deps.db, collection, api.siteId, {
        filters: where,
        cursor: q._cursor,
        limit: countOf(q),
        ...(sortKey ? { sortKey } : {}),
      });
      await auditReads(req, res, collection, page.data as AnyRecord[]);
      const extra = await included(req, res, type, page.data as AnyRecord[]);
      sendFhir(
        res,
        bundle(
          req,
          page.data.map((r) => map(r as never)),
          extra,
          page.nextCursor ?? undefined,
        ),
      );
    });
  }

  searchable('Patient', 'patients', 'patients:read', toPatient, (q, req) => {
    const f: Filter[] = [];
    if (q.name)
      f.push({ sql: `(doc->>'familyName' ILIKE ? OR doc->>'givenName' ILIKE ?)`, value: `${escapeLike(q.name)}%` });
    if (q.family) f.push({ sql: `doc->>'familyName' ILIKE ?`, value: `${escapeLike(q.family)}%` });
    if (q.given) f.push({ sql: `doc->>'givenName' ILIKE ?`, value: `${escapeLike(q.given)}%` });
    // A birth date is a calendar date wherever the patient is, so it is read in UTC.
    for (const search of dateSearchesOf(req, 'birthdate', 'UTC')) f.push(dateFilter(`doc->>'dob'`, search, true));
    if (q.identifier) {
      const [system, value] = q.identifier.includes('|') ? q.identifier.split('|', 2) : [undefined, q.identifier];
      // MRNs are the only identifiers here: another system (or none, `|value`) matches nothing.
      if (system !== undefined && system !== MRN_SYSTEM) f.push(matchNothing);
      else if (value) f.push({ sql: `doc->>'mrn' = ?`, value });
      else f.push({ sql: `doc->>'mrn' IS NOT NULL AND ?::boolean`, value: true });
    }
    return f;
  });
  searchable('Practitioner', 'providers', 'schedules:read', toPractitioner, () => []);
  searchable('Location', 'rooms', 'schedules:read', toLocation, () => []);
  searchable('Schedule', 'schedules', 'schedules:read', toSchedule, (q) => {
    const actor = q.actor ?? q.practitioner;
    return actor ? [{ sql: `doc->>'providerId' = ?`, value: reference(actor, 'Practitioner') }] : [];
  });
  searchable('Encounter', 'queueEntries', 'queue:read', toEncounter, (q) => {
    const f: Filter[] = [];
    if (q.patient) f.push({ sql: `doc->>'patientId' = ?`, value: reference(q.patient, 'Patient') });
    if (q.appointment) f.push({ sql: `doc->>'appointmentId' = ?`, value: reference(q.appointment, 'Appointment') });
    return f;
  });
  // Billing (docs/architecture.md §9.7): ledger records of one kind each.
  searchable('Invoice', 'ledger', 'billing:read', toFhirInvoice as Mapper, (q) => billingSearch('invoice', q));
  searchable('Claim', 'ledger', 'billing:read', toFhirClaim as Mapper, (q) => billingSearch('claim', q));
  searchable(
    'Appointment',
    'appointments',
    'appointments:read',
    toAppointment,
    async (q, req, api) => {
      const f: Filter[] = [];
      if (q.patient) f.push({ sql: `doc->>'patientId' = ?`, value: reference(q.patient, 'Patient') });
      const actor = q.practitioner ?? q.actor;
      if (actor) f.push({ sql: `doc->>'providerId' = ?`, value: reference(actor, 'Practitioner') });
      if (q.status)
        f.push({ sql: `doc->>'status' = ?`, value: parseWith(z.enum(appointmentStatuses), q.status, 'status') });
      if (req.query.date !== undefined) {
        const timeZone = (await api.site()).timezone;
        for (const search of dateSearchesOf(req, 'date', timeZone)) f.push(dateFilter(`doc->>'start'`, search));
      }
      return f;
    },
    'start',
  );

  // Create books a slot (or a start/end with a practitioner); the same overlap rule as REST.
  router.post('/Appointment', requireScope('appointments:write'), async (req, res) => {
    const body = parseWith(appointmentResource, req.body, 'Appointment');
    const api = service(res);
    const refs = body.participant.map((p) => p.actor?.reference ?? '');
    const patientId = refs.find((r) => r.startsWith('Patient/'))?.slice(8);
    if (patientId === undefined) throw invalid('participant', 'a Patient participant is required');
    let providerId = refs.find((r) => r.startsWith('Practitioner/'))?.slice(13);
    let start = body.start;
    let end = body.end;
    const slotRef = body.slot?.[0]?.reference;
    if (slotRef !== undefined) {
      const slot = parseSlotId(reference(slotRef, 'Slot'));
      if (slot === null) throw invalid('slot', 'not a slot this server gave out');
      const schedule = await readRecord(deps.db, 'schedules', slot.scheduleId, api.siteId);
      providerId = schedule.providerId;
      start = slot.start;
      end = new Date(Date.parse(slot.start) + schedule.slotMinutes * 60_000).toISOString();
    }
    if (providerId === undefined) throw invalid('participant', 'a Practitioner participant or a slot is required');
    if (start === undefined) throw invalid('start', 'a start or a slot is required');
    const appointment = await api.book({
      patientId,
      providerId,
      start,
      end,
      visitType: body.appointmentType?.text ?? body.appointmentType?.coding?.[0]?.code ?? 'appointment',
      notes: body.comment ?? null,
      status: body.status === 'pending' ? 'pending' : 'booked',
    });
    await audit(req, res, 'write', 'appointments', [appointment.id]);
    res.status(201).setHeader('location', `${baseUrl(req)}/Appointment/${appointment.id}`);
    sendFhir(res, toAppointment(appointment));
  });

  /** Update and patch change the status (cancel included) and the time; other fields are the desk's. */
  async function changeAppointment(api: IntegrationService, current: Appointment, body: AppointmentResource) {
    let next = current;
    if (body.start !== undefined && Date.parse(body.start) !== Date.parse(current.start)) {
      next = await api.reschedule(current.id, body.start, body.end);
    }
    if (body.status !== undefined && body.status !== next.status) {
      next =
        body.status === 'checked-in' || body.status === 'arrived'
          ? (await api.checkIn(current.id)).appointment
          : await api.transitionAppointment(current.id, body.status);
    }
    return next;
  }

  router.put('/Appointment/:id', requireScope('appointments:write'), async (req, res) => {
    const body = parseWith(appointmentResource, req.body, 'Appointment');
    const api = service(res);
    const id = String(req.params.id);
    if (body.id !== undefined && body.id !== id) throw invalid('id', 'the resource id must match the URL');
    const current = await readRecord(deps.db, 'appointments', id, api.siteId);
    const next = await changeAppointment(api, current, body);
    await audit(req, res, 'write', 'appointments', [id]);
    sendFhir(res, toAppointment(next));
  });

  // JSON Patch (RFC 6902) of the Appointment as this server shows it; only status, start and end may change.
  router.patch('/Appointment/:id', requireScope('appointments:write'), async (req, res) => {
    if (!req.is(JSON_PATCH))
      throw new HttpError(415, 'not-supported', `PATCH takes a JSON Patch document (Content-Type: ${JSON_PATCH})`);
    const operations = parseWith(jsonPatchDocument, req.body, 'JSON Patch') as PatchOperation[];
    const api = service(res);
    const id = String(req.params.id);
    const current = await readRecord(deps.db, 'appointments', id, api.siteId);
    const shown = toAppointment(current) as Record<string, unknown>;
    let patched: Record<string, unknown>;
    try {
      patched = jsonPatch.applyPatch(structuredClone(shown), operations, true, true).newDocument;
    } catch (error) {
      if (!(error instanceof jsonPatch.JsonPatchError)) throw error;
      if (error.name === 'TEST_OPERATION_FAILED')
        throw new HttpError(422, 'patch-test-failed', 'a JSON Patch test operation failed: nothing was changed');
      throw invalid('JSON Patch', error.message.split('\n')[0] ?? 'not a valid patch');
    }
    const changed = Object.keys({ ...shown, ...patched }).filter(
      (key) => JSON.stringify(shown[key]) !== JSON.stringify(patched[key]),
    );
    const refused = changed.filter((key) => !['status', 'start', 'end', 'minutesDuration'].includes(key));
    if (refused.length > 0)
      throw new HttpError(422, 'not-supported', `only status, start and end can be patched; not ${refused.join(', ')}`);
    const body = parseWith(appointmentResource, patched, 'Appointment');
    const next = await changeAppointment(api, current, {
      ...body,
      ...(changed.includes('start') || changed.includes('end') ? {} : { start: undefined, end: undefined }),
    });
    await audit(req, res, 'write', 'appointments', [id]);
    sendFhir(res, toAppointment(next));
  });

  // Slots: free from the schedule, busy from bookings that hold the time.
  router.get('/Slot', requireScope('schedules:read'), async (req, res) => {
    const q = queryOf(req);
    const api = service(res);
    const site = await api.site();
    const status = q.status ? parseWith(z.enum(['free', 'busy']), q.status, 'status') : undefined;
    const searches = dateSearchesOf(req, 'start', site.timezone);
    const window = fhirDateWindow(searches);
    // Without a lower bound the search starts today; without an upper one it covers a week.
    const firstDay = localDateAt(new Date(window.from ?? Date.now()), site.timezone);
    const lastDay =
      window.to === undefined ? addDays(firstDay, 6) : localDateAt(new Date(window.to - 1), site.timezone);
    const days = Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / DAY_MS) + 1;
    if (days > SLOT_SEARCH_MAX_DAYS) {
      throw new HttpError(
        400,
        'search-too-wide',
        `a Slot search covers at most ${SLOT_SEARCH_MAX_DAYS} days; this one covers ${days} (${firstDay} to ${lastDay}): narrow start`,
        { issues: [{ path: 'start', message: `at most ${SLOT_SEARCH_MAX_DAYS} days` }] },
      );
    }
    const schedules = q.schedule
      ? [await readRecord(deps.db, 'schedules', reference(q.schedule, 'Schedule'), api.siteId)]
      : (await listRecords(deps.db, 'schedules', api.siteId, { filters: [], limit: 200 })).data;
    const slots: ReturnType<typeof toSlot>[] = [];
    for (const schedule of schedules) {
      if (days < 1) break;
      const bookings = await bookingsBetween(schedule.providerId, firstDay, lastDay);
      for (let day = firstDay; day <= lastDay && slots.length < 1000; day = addDays(day, 1)) {
        slots.push(...slotsOf(schedule, bookings, day, site.timezone, status));
      }
    }
    const matching =
      searches.length === 0 ? slots : slots.filter((s) => matchesFhirDates(searches, Date.parse(s.start)));
    if (countOnly(q)) {
      sendFhir(res, bundle(req, [], [], undefined, matching.length));
      return;
    }
    const offset = Number(q._cursor ?? 0) || 0;
    const count = countOf(q);
    const page = matching.slice(offset, offset + count);
    sendFhir(
      res,
      bundle(req, page, [], offset + count < matching.length ? String(offset + count) : undefined, matching.length),
    );
  });
  router.get('/Slot/:id', requireScope('schedules:read'), async (req, res) => {
    const parsed = parseSlotId(String(req.params.id));
    if (parsed === null) throw new HttpError(404, 'not-found', `no Slot ${String(req.params.id)}`);
    const api = service(res);
    const schedule = await readRecord(deps.db, 'schedules', parsed.scheduleId, api.siteId);
    const site = await api.site();
    const day = localDateAt(new Date(parsed.start), site.timezone);
    const bookings = await bookingsBetween(schedule.providerId, day, day);
    const slot = slotsOf(schedule, bookings, day, site.timezone, undefined).find((s) => s.start === parsed.start);
    if (slot === undefined) throw new HttpError(404, 'not-found', `no Slot ${String(req.params.id)}`);
    sendFhir(res, slot);
  });

  /** A provider's appointments around site-local days, in one query (a day either side covers any time zone). */
  async function bookingsBetween(providerId: string, firstDay: string, lastDay: string): Promise<Appointment[]> {
    const rows = await deps.db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments WHERE NOT deleted AND doc->>'providerId' = $1
        AND doc->>'start' < $3 AND doc->>'end' > $2`,
      [providerId, `${addDays(firstDay, -1)}T00:00:00.000Z`, `${addDays(lastDay, 2)}T00:00:00.000Z`],
    );
    return rows.map((r) => r.doc);
  }

  router.use((req, _res, next) => next(new HttpError(404, 'not-found', `no FHIR route for ${req.method} ${req.path}`)));
  router.use(operationOutcomeErrors(deps.log));
  return router;
}

function slotsOf(
  schedule: Schedule,
  bookings: readonly Appointment[],
  day: string,
  timeZone: string,
  status: 'free' | 'busy' | undefined,
) {
  const range = dayRangeUtc(day, timeZone);
  const near = bookings.filter(
    (b) => Date.parse(b.start) < range.end.getTime() + DAY_MS && Date.parse(b.end) > range.start.getTime() - DAY_MS,
  );
  const out: ReturnType<typeof toSlot>[] = [];
  if (status !== 'busy')
    out.push(...freeSlots(schedule, near, day, timeZone).map((s) => toSlot(schedule.id, s, 'free')));
  if (status !== 'free') {
    for (const booking of near) {
      const start = Date.parse(booking.start);
      if (!holdsSlot(booking.status) || start < range.start.getTime() || start >= range.end.getTime()) continue;
      out.push(
        toSlot(schedule.id, { start: new Date(start).toISOString(), end: new Date(booking.end).toISOString() }, 'busy'),
      );
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

const appointmentResource = z.object({
  resourceType: z.literal('Appointment'),
  id: text.optional(),
  status: z.enum(appointmentStatuses).optional(),
  start: z.iso.datetime({ offset: true }).optional(),
  end: z.iso.datetime({ offset: true }).optional(),
  comment: text.max(4000).optional(),
  appointmentType: z
    .object({
      text: text.min(1).max(64).optional(),
      coding: z.array(z.object({ code: text.max(64) })).optional(),
    })
    .optional(),
  slot: z.array(z.object({ reference: text })).optional(),
  participant: z.array(z.object({ actor: z.object({ reference: text }).optional() })).default([]),
});
type AppointmentResource = z.output<typeof appointmentResource>;

const jsonPatchDocument = z
  .array(
    z.object({
      op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
      path: text.max(200),
      from: text.max(200).optional(),
      value: z.unknown().optional(),
    }),
  )
  .min(1)
  .max(50);

function supported<T>(table: Record<string, T>, type: string, on?: (value: T) => string): string {
  const names = Object.entries(table)
    .filter(([name, value]) => (on ? on(value) === type : name.startsWith(`${type}:`)))
    .map(([name]) => name);
  return names.length > 0 ? names.join(', ') : `none on ${type}`;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw HttpError.fromZod(result.error, what);
  return result.data;
}

/** `Patient/123` or `123` → `123`. */
function reference(value: string, type: string): string {
  return value.startsWith(`${type}/`) ? value.slice(type.length + 1) : value;
}

function escapeLike(value: string): string {
  return value.replace(/[%_\\]/g, (c) => `\\${c}`);
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** A searchset: matches, then what `_include`/`_revinclude` added; `self` and `next` keep every parameter. */
function bundle(req: Request, matches: object[], includes: object[], nextCursor: string | undefined, total?: number) {
  const base = baseUrl(req);
  const link = [
    {
      relation: 'self',
      url: searchUrl(req, base, typeof req.query._cursor === 'string' ? req.query._cursor : undefined),
    },
  ];
  if (nextCursor !== undefined) link.push({ relation: 'next', url: searchUrl(req, base, nextCursor) });
  const entry = (mode: 'match' | 'include') => (resource: object) => ({
    fullUrl: `${base}/${(resource as { resourceType: string }).resourceType}/${(resource as { id: string }).id}`,
    resource,
    search: { mode },
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link,
    entry: [...matches.map(entry('match')), ...includes.map(entry('include'))],
  };
}

function capabilityStatement(base: string) {
  const common: [string, string, string][] = [
    [
      '_count',
      'number',
      `Results per page: ${COUNT_DEFAULT} by default, at most ${COUNT_MAX}; 0 answers the total only`,
    ],
    ['_summary', 'token', 'count: the total only, no entries'],
  ];
  const search = (...names: ([string, string] | [string, string, string])[]) =>
    [...names, ...common].map(([name, type, documentation]) => ({
      name,
      type,
      ...(documentation ? { documentation } : {}),
    }));
  const read = [{ code: 'read' }, { code: 'search-type' }];
  const includes = (type: string) => Object.keys(INCLUDES).filter((name) => name.startsWith(`${type}:`));
  const revincludes = (type: string) => Object.keys(REVINCLUDES).filter((name) => REVINCLUDES[name]!.on === type);
  const resource = (
    type: string,
    interaction: { code: string }[],
    params: ([string, string] | [string, string, string])[],
  ) => ({
    type,
    interaction,
    searchParam: search(...params),
    ...(includes(type).length > 0 ? { searchInclude: includes(type) } : {}),
    ...(revincludes(type).length > 0 ? { searchRevInclude: revincludes(type) } : {}),
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-22',
    kind: 'instance',
    software: { name: 'MediSync', version: '1.0.0' },
    implementation: { description: 'MediSync sync server', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: [JSON_PATCH],
    rest: [
      {
        mode: 'server',
        documentation:
          'Date search parameters take every FHIR prefix (eq, ne, lt, gt, le, ge, sa, eb, ap) and partial dates ' +
          '(2026, 2026-11). A date without a time of day means the site-local calendar: 2026-11-30 is that day from ' +
          "midnight to midnight in the site's time zone (a birth date is a calendar date, compared as written). " +
          'Repeated parameters are joined with AND (start=ge2026-11-30&start=lt2026-12-07). ' +
          `Pages hold ${COUNT_DEFAULT} results unless _count says otherwise, at most ${COUNT_MAX}; follow the Bundle's next link. ` +
          `Slots are computed from schedules: a Slot search covers at most ${SLOT_SEARCH_MAX_DAYS} site-local days ` +
          '(a week from its start when start has no upper bound); a wider one answers 400 with an OperationOutcome ' +
          '(too-costly). Errors are OperationOutcomes.',
        security: { description: 'Authorization: Bearer <API client key>; scopes as for /api/v1' },
        resource: [
          resource('Patient', read, [
            ['name', 'string'],
            ['family', 'string'],
            ['given', 'string'],
            ['birthdate', 'date'],
            ['identifier', 'token', `MRN: ${MRN_SYSTEM}|<value>; identifiers of other systems match nothing`],
          ]),
          resource('Practitioner', read, []),
          resource('Location', read, []),
          resource('Schedule', read, [['actor', 'reference']]),
          resource('Slot', read, [
            ['schedule', 'reference'],
            ['start', 'date', `The slot's start; at most ${SLOT_SEARCH_MAX_DAYS} site-local days per search`],
            ['status', 'token', 'free or busy'],
          ]),
          resource(
            'Appointment',
            [...read, { code: 'create' }, { code: 'update' }, { code: 'patch' }],
            [
              ['patient', 'reference'],
              ['practitioner', 'reference'],
              ['date', 'date', "The appointment's start"],
              ['status', 'token'],
            ],
          ),
          resource('Encounter', read, [
            ['patient', 'reference'],
            ['appointment', 'reference'],
          ]),
          resource('Invoice', read, [
            ['patient', 'reference'],
            ['status', 'token', 'draft, issued, balanced (paid, or paid and refunded) or cancelled (void)'],
          ]),
          resource('Claim', read, [['patient', 'reference']]),
        ].map((r) =>
          r.type === 'Appointment'
            ? {
                ...r,
                documentation:
                  'update (PUT) and patch (JSON Patch) change the status (cancel, check in, no-show, with the ' +
                  'lifecycle rules of the apps) and the time; other fields are kept.',
              }
            : r,
        ),
      },
    ],
  };
}
