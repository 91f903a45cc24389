import {
  addDays,
  appointmentStatuses,
  dayRangeUtc,
  freeSlots,
  holdsSlot,
  localDateAt,
  type AnyRecord,
  type Appointment,
  type CollectionName,
  type Schedule,
} from '@medisync/shared/domain';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { apiClientOf, requireApiClient, requireScope } from '#api-clients/authenticate';
import type { Scope } from '#api-clients/scopes';
import { listRecords, readRecord, type Filter } from '#api/records';
import { IntegrationService, type ApiDeps } from '#api/service';
import { requestOrigin } from '#auth/authenticate';
import { HttpError } from '#http/errors';
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

const FHIR_JSON = 'application/fhir+json';

/**
 * HL7 FHIR R4 at `/fhir/R4`, for the same API clients and scopes as `/api/v1`.
 * Searches answer Bundles of type searchset with `self` and `next` links;
 * errors answer OperationOutcome. Slots are computed, not stored: free ones from
 * the schedule, busy ones from the bookings that hold time.
 */
export function createFhirRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use(express.json({ type: [FHIR_JSON, 'application/json'], limit: '1mb' }));
  router.get('/metadata', (req, res) => send(res, capabilityStatement(baseUrl(req))));
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

  /** Read and search of a resource type backed by one collection. */
  function simple<K extends CollectionName>(
    type: string,
    collection: K,
    scope: Scope,
    map: (record: never) => object,
    filters: (q: Record<string, string>) => Filter[],
  ) {
    router.get(`/${type}/:id`, requireScope(scope), async (req, res) => {
      const record = await readRecord(deps.db, collection, String(req.params.id), apiClientOf(res).siteId);
      if (collection !== 'providers' && collection !== 'rooms' && collection !== 'schedules')
        await audit(req, res, 'read', collection, [record.id]);
      send(res, map(record as never));
    });
    router.get(`/${type}`, requireScope(scope), async (req, res) => {
      const q = queryOf(req);
      const count = countOf(q);
      const page = await listRecords(deps.db, collection, apiClientOf(res).siteId, {
        filters: filters(q),
        cursor: q._cursor,
        limit: count,
        ...(collection === 'appointments' ? { sortKey: 'start' } : {}),
      });
      if (collection === 'patients' || collection === 'appointments' || collection === 'queueEntries')
        await audit(
          req,
          res,
          'read',
          collection,
          page.data.map((r: AnyRecord) => r.id),
        );
      send(
        res,
        bundle(
          req,
          page.data.map((r) => map(r as never)),
          page.nextCursor,
        ),
      );
    });
  }

  simple('Patient', 'patients', 'patients:read', toPatient, (q) => {
    const f: Filter[] = [];
    if (q.name)
      f.push({ sql: `(doc->>'familyName' ILIKE ? OR doc->>'givenName' ILIKE ?)`, value: `${escapeLike(q.name)}%` });
    if (q.family) f.push({ sql: `doc->>'familyName' ILIKE ?`, value: `${escapeLike(q.family)}%` });
    if (q.given) f.push({ sql: `doc->>'givenName' ILIKE ?`, value: `${escapeLike(q.given)}%` });
    if (q.birthdate) f.push({ sql: `doc->>'dob' = ?`, value: parseWith(z.iso.date(), q.birthdate, 'birthdate') });
    if (q.identifier) {
      const [system, value] = q.identifier.includes('|') ? q.identifier.split('|', 2) : [null, q.identifier];
      if (system && system !== MRN_SYSTEM) f.push({ sql: `false AND ? IS NULL`, value: null });
      f.push({ sql: `doc->>'mrn' = ?`, value });
    }
    return f;
  });
  simple('Practitioner', 'providers', 'schedules:read', toPractitioner, () => []);
  simple('Location', 'rooms', 'schedules:read', toLocation, () => []);
  simple('Schedule', 'schedules', 'schedules:read', toSchedule, (q) => {
    const actor = q.actor ?? q.practitioner;
    return actor ? [{ sql: `doc->>'providerId' = ?`, value: reference(actor, 'Practitioner') }] : [];
  });
  simple('Encounter', 'queueEntries', 'queue:read', toEncounter, (q) => {
    const f: Filter[] = [];
    if (q.patient) f.push({ sql: `doc->>'patientId' = ?`, value: reference(q.patient, 'Patient') });
    if (q.appointment) f.push({ sql: `doc->>'appointmentId' = ?`, value: reference(q.appointment, 'Appointment') });
    return f;
  });

  // Appointment search needs the site's time zone for `date`, so it is its own route.
  router.get('/Appointment', requireScope('appointments:read'), async (req, res) => {
    const q = queryOf(req);
    const api = service(res);
    const f: Filter[] = [];
    if (q.patient) f.push({ sql: `doc->>'patientId' = ?`, value: reference(q.patient, 'Patient') });
    const actor = q.practitioner ?? q.actor;
    if (actor) f.push({ sql: `doc->>'providerId' = ?`, value: reference(actor, 'Practitioner') });
    if (q.status)
      f.push({ sql: `doc->>'status' = ?`, value: parseWith(z.enum(appointmentStatuses), q.status, 'status') });
    if (q.date) {
      const date = parseWith(z.iso.date(), q.date.replace(/^eq/, ''), 'date');
      const day = dayRangeUtc(date, (await api.site()).timezone);
      f.push({ sql: `doc->>'start' >= ?`, value: day.start.toISOString() });
      f.push({ sql: `doc->>'start' < ?`, value: day.end.toISOString() });
    }
    const page = await listRecords(deps.db, 'appointments', api.siteId, {
      filters: f,
      sortKey: 'start',
      cursor: q._cursor,
      limit: countOf(q),
    });
    await audit(
      req,
      res,
      'read',
      'appointments',
      page.data.map((a) => a.id),
    );
    send(res, bundle(req, page.data.map(toAppointment), page.nextCursor));
  });
  router.get('/Appointment/:id', requireScope('appointments:read'), async (req, res) => {
    const a = await readRecord(deps.db, 'appointments', String(req.params.id), apiClientOf(res).siteId);
    await audit(req, res, 'read', 'appointments', [a.id]);
    send(res, toAppointment(a));
  });

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
    send(res, toAppointment(appointment));
  });

  // Update changes the status (cancel included) and the time; other fields are the desk's.
  router.put('/Appointment/:id', requireScope('appointments:write'), async (req, res) => {
    const body = parseWith(appointmentResource, req.body, 'Appointment');
    const api = service(res);
    const id = String(req.params.id);
    if (body.id !== undefined && body.id !== id) throw invalid('id', 'the resource id must match the URL');
    const current = await readRecord(deps.db, 'appointments', id, api.siteId);
    let next: Appointment = current;
    if (body.start !== undefined && Date.parse(body.start) !== Date.parse(current.start)) {
      next = await api.reschedule(id, body.start, body.end);
    }
    if (body.status !== undefined && body.status !== next.status) {
      next =
        body.status === 'checked-in' || body.status === 'arrived'
          ? (await api.checkIn(id)).appointment
          : await api.transitionAppointment(id, body.status);
    }
    await audit(req, res, 'write', 'appointments', [id]);
    send(res, toAppointment(next));
  });

  // Slots: free from the schedule, busy from bookings that hold the time.
  router.get('/Slot', requireScope('schedules:read'), async (req, res) => {
    const q = queryOf(req);
    const api = service(res);
    const site = await api.site();
    const schedules = q.schedule
      ? [await readRecord(deps.db, 'schedules', reference(q.schedule, 'Schedule'), api.siteId)]
      : (await listRecords(deps.db, 'schedules', api.siteId, { filters: [], limit: 200 })).data;
    const startParams = ([] as string[]).concat((req.query.start as string | string[] | undefined) ?? []);
    const from = startParams.find((s) => /^(ge|gt|eq)?\d/.test(s) && !s.startsWith('l'));
    const to = startParams.find((s) => /^(le|lt)/.test(s));
    const fromDate = from
      ? parseWith(dateOrInstant, from.replace(/^(ge|gt|eq)/, ''), 'start')
      : new Date().toISOString();
    const firstDay = localDateAt(new Date(fromDate), site.timezone);
    const lastDay = to
      ? localDateAt(new Date(parseWith(dateOrInstant, to.slice(2), 'start')), site.timezone)
      : from?.startsWith('eq') || (from && !/^(ge|gt)/.test(from))
        ? firstDay
        : addDays(firstDay, 6);
    const status = q.status ? parseWith(z.enum(['free', 'busy']), q.status, 'status') : undefined;
    const slots: object[] = [];
    for (const schedule of schedules) {
      for (let day = firstDay; day <= lastDay && slots.length < 1000; day = addDays(day, 1)) {
        slots.push(...(await slotsOf(api, schedule, day, site.timezone, status)));
      }
    }
    // A start with a time of day also cuts the first day's earlier slots.
    const within = from?.includes('T') ? slots.filter((s) => (s as { start: string }).start >= fromDate) : slots;
    const offset = Number(q._cursor ?? 0) || 0;
    const count = countOf(q);
    const page = within.slice(offset, offset + count);
    send(res, bundle(req, page, offset + count < within.length ? String(offset + count) : null, within.length));
  });
  router.get('/Slot/:id', requireScope('schedules:read'), async (req, res) => {
    const parsed = parseSlotId(String(req.params.id));
    if (parsed === null) throw new HttpError(404, 'not-found', `no Slot ${String(req.params.id)}`);
    const api = service(res);
    const schedule = await readRecord(deps.db, 'schedules', parsed.scheduleId, api.siteId);
    const site = await api.site();
    const day = localDateAt(new Date(parsed.start), site.timezone);
    const slot = (await slotsOf(api, schedule, day, site.timezone, undefined)).find((s) => s.start === parsed.start);
    if (slot === undefined) throw new HttpError(404, 'not-found', `no Slot ${String(req.params.id)}`);
    send(res, slot);
  });

  router.use((req, _res, next) => next(new HttpError(404, 'not-found', `no FHIR route for ${req.method} ${req.path}`)));
  router.use(operationOutcomeErrors);
  return router;
}

async function slotsOf(
  api: IntegrationService,
  schedule: Schedule,
  day: string,
  timeZone: string,
  status: 'free' | 'busy' | undefined,
) {
  const bookings = await api.bookingsAround(schedule.providerId, day);
  const out: ReturnType<typeof toSlot>[] = [];
  if (status !== 'busy')
    out.push(...freeSlots(schedule, bookings, day, timeZone).map((s) => toSlot(schedule.id, s, 'free')));
  if (status !== 'free') {
    const range = dayRangeUtc(day, timeZone);
    for (const booking of bookings) {
      const start = Date.parse(booking.start);
      if (!holdsSlot(booking.status) || start < range.start.getTime() || start >= range.end.getTime()) continue;
      out.push(
        toSlot(schedule.id, { start: new Date(start).toISOString(), end: new Date(booking.end).toISOString() }, 'busy'),
      );
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

const dateOrInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v).toISOString());

const appointmentResource = z.object({
  resourceType: z.literal('Appointment'),
  id: z.string().optional(),
  status: z.enum(appointmentStatuses).optional(),
  start: z.iso.datetime({ offset: true }).optional(),
  end: z.iso.datetime({ offset: true }).optional(),
  comment: z.string().max(4000).optional(),
  appointmentType: z
    .object({
      text: z.string().min(1).max(64).optional(),
      coding: z.array(z.object({ code: z.string().max(64) })).optional(),
    })
    .optional(),
  slot: z.array(z.object({ reference: z.string() })).optional(),
  participant: z.array(z.object({ actor: z.object({ reference: z.string() }).optional() })).default([]),
});

function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

function countOf(q: Record<string, string>): number {
  return q._count === undefined ? 50 : parseWith(z.coerce.number().int().min(1).max(200), q._count, '_count');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw HttpError.fromZod(result.error, what);
  return result.data;
}

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'invalid-request', `${field}: ${message}`, { issues: [{ path: field, message }] });
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

function send(res: Response, resource: object): void {
  res.type(FHIR_JSON).send(JSON.stringify(resource));
}

function bundle(req: Request, resources: object[], nextCursor: string | null, total?: number) {
  const self = `${baseUrl(req)}${req.path}`;
  const params = new URLSearchParams(req.query as Record<string, string>);
  const link = [{ relation: 'self', url: `${self}?${params.toString()}` }];
  if (nextCursor !== null) {
    params.set('_cursor', nextCursor);
    link.push({ relation: 'next', url: `${self}?${params.toString()}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link,
    entry: resources.map((resource) => ({
      fullUrl: `${baseUrl(req)}/${(resource as { resourceType: string }).resourceType}/${(resource as { id: string }).id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

const ISSUE_CODE: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
};

/** Every FHIR error is an OperationOutcome; the MediSync code is kept in `details`. */
const operationOutcomeErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (!(error instanceof HttpError)) {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.parse.failed') {
      error = new HttpError(400, 'invalid-json', 'the request body is not valid JSON');
    } else {
      next(error);
      return;
    }
  }
  const known = error as HttpError;
  res.status(known.status).type(FHIR_JSON);
  res.send(
    JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: ISSUE_CODE[known.status] ?? (known.status >= 500 ? 'exception' : 'processing'),
          details: { coding: [{ system: 'urn:medisync:error', code: known.code }], text: known.message },
          diagnostics: known.message,
        },
      ],
    }),
  );
};

function capabilityStatement(base: string) {
  const search = (...names: [string, string][]) => names.map(([name, type]) => ({ name, type }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-22',
    kind: 'instance',
    software: { name: 'MediSync', version: '1.0.0' },
    implementation: { description: 'MediSync sync server', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'Authorization: Bearer <API client key>; scopes as for /api/v1' },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search(
              ['name', 'string'],
              ['family', 'string'],
              ['given', 'string'],
              ['birthdate', 'date'],
              ['identifier', 'token'],
            ),
          },
          { type: 'Practitioner', interaction: [{ code: 'read' }, { code: 'search-type' }] },
          { type: 'Location', interaction: [{ code: 'read' }, { code: 'search-type' }] },
          {
            type: 'Schedule',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search(['actor', 'reference']),
          },
          {
            type: 'Slot',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search(['schedule', 'reference'], ['start', 'date'], ['status', 'token']),
          },
          {
            type: 'Appointment',
            interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }],
            searchParam: search(
              ['patient', 'reference'],
              ['practitioner', 'reference'],
              ['date', 'date'],
              ['status', 'token'],
            ),
          },
          {
            type: 'Encounter',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: search(['patient', 'reference'], ['appointment', 'reference']),
          },
        ],
      },
    ],
  };
}
