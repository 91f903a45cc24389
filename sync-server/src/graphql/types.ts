import {
  appointmentStatuses,
  queuePriorities,
  queueStatuses,
  roomStatuses,
  type Appointment,
  type CollectionName,
  type Patient,
  type Provider,
  type QueueEntry,
  type RecordTypes,
  type Room,
  type Schedule,
} from '@medisync/shared/domain';
import { readRecord, type ApiRecord, type Page } from '#api/records';
import { findAppointments } from '#api/listings';
import { HttpError } from '#http/errors';
import { builder } from './builder.js';
import { requireScope, servicesFor, touch, type GraphQLContext } from './context.js';

/**
 * The GraphQL types: the records as REST shows them (no merge machinery),
 * with the links an integrator follows (a patient's visits, a visit's
 * provider) resolved under the same scopes and site as REST's routes.
 */

/** GraphQL enum names cannot hold a hyphen: `checked-in` is CHECKED_IN, its value stays "checked-in". */
export function enumOf<T extends string>(name: string, values: readonly T[], description: string) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(values.map((v) => [v.toUpperCase().replaceAll('-', '_'), { value: v }])) as Record<
      string,
      { value: T }
    >,
  });
}

export const AppointmentStatus = enumOf('AppointmentStatus', appointmentStatuses, 'HL7 FHIR R4 AppointmentStatus');
export const QueueStatus = enumOf('QueueStatus', queueStatuses, 'Where a queue ticket is in its lifecycle');
export const QueuePriority = enumOf('QueuePriority', queuePriorities, 'Urgent before assist before normal');
const RoomStatus = enumOf('RoomStatus', roomStatuses, 'Whether a room can take the next patient');
export const Sex = enumOf('Sex', ['female', 'male', 'other', 'unknown'] as const, 'HL7 FHIR AdministrativeGender');
const RoomKind = enumOf(
  'RoomKind',
  ['exam', 'procedure', 'lab', 'consult', 'imaging', 'other'] as const,
  'What a room is for',
);

/** A live record of the client's site by id, or null (another site's record is as absent as a missing one). */
export async function recordOrNull<K extends CollectionName>(
  ctx: GraphQLContext,
  collection: K,
  id: string,
  siteId: string,
): Promise<RecordTypes[K] | null> {
  try {
    const record = await readRecord(ctx.deps.db, collection, id, siteId);
    touch(ctx, 'read', collection, [record.id]);
    return record;
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not-found') return null;
    throw error;
  }
}

const PageInfo = builder.objectRef<{ endCursor: string | null; hasNextPage: boolean }>('PageInfo').implement({
  description: 'Where a page ends: pass `endCursor` as `after` for the next page',
  fields: (t) => ({
    endCursor: t.exposeString('endCursor', { nullable: true }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
  }),
});

type Connection<T> = { nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };

export function toConnection<T>(page: Page<T>): Connection<T> {
  return {
    nodes: page.data,
    pageInfo: { endCursor: page.nextCursor, hasNextPage: page.nextCursor !== null },
  };
}

/** A page the client read, noted for the audit log and shaped as a connection. */
export function readConnection<T extends { id: string }>(
  ctx: GraphQLContext,
  collection: CollectionName,
  page: Page<T>,
): Connection<T> {
  touch(
    ctx,
    'read',
    collection,
    page.data.map((record) => record.id),
  );
  return toConnection(page);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Pothos object refs of any record type
function connectionType<T>(name: string, node: any) {
  return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
    description: `A page of ${name} records`,
    fields: (t) => ({
      // The connection field counts the items (`first`); its nodes do not count them again.
      nodes: t.field({ type: [node], complexity: { field: 0, multiplier: 1 }, resolve: (c) => c.nodes as never }),
      pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
    }),
  });
}

/** Paging arguments of every list: at most 200 a page, as REST. */
export const pageArgs = builder.args((t) => ({
  first: t.int({ defaultValue: 50, validate: { min: 1, max: 200 } }),
  after: t.string({ required: false, validate: { maxLength: 500 }, description: 'The endCursor of the page before' }),
}));

/** A list's selection costs once per item it may return. */
export const perItem = (args: { first?: number | null }) => ({ field: 1, multiplier: args.first ?? 50 });

export const PatientRef = builder.objectRef<ApiRecord<'patients'>>('Patient');
export const ProviderRef = builder.objectRef<ApiRecord<'providers'>>('Provider');
export const AppointmentRef = builder.objectRef<ApiRecord<'appointments'>>('Appointment');
export const QueueEntryRef = builder.objectRef<ApiRecord<'queueEntries'>>('QueueEntry');
export const RoomRef = builder.objectRef<ApiRecord<'rooms'>>('Room');
export const ScheduleRef = builder.objectRef<ApiRecord<'schedules'>>('Schedule');

export const PatientConnection = connectionType<Patient>('Patient', PatientRef);
export const ProviderConnection = connectionType<Provider>('Provider', ProviderRef);
export const AppointmentConnection = connectionType<Appointment>('Appointment', AppointmentRef);
export const QueueEntryConnection = connectionType<QueueEntry>('QueueEntry', QueueEntryRef);
export const RoomConnection = connectionType<Room>('Room', RoomRef);
export const ScheduleConnection = connectionType<Schedule>('Schedule', ScheduleRef);

const Address = builder.objectRef<NonNullable<Patient['address']>>('Address').implement({
  fields: (t) => ({
    line1: t.exposeString('line1'),
    line2: t.exposeString('line2', { nullable: true }),
    city: t.exposeString('city'),
    region: t.exposeString('region', { nullable: true }),
    postalCode: t.exposeString('postalCode'),
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2' }),
  }),
});

const Insurance = builder.objectRef<NonNullable<Patient['insurance']>>('Insurance').implement({
  fields: (t) => ({
    payer: t.exposeString('payer'),
    memberId: t.exposeString('memberId'),
    groupNumber: t.exposeString('groupNumber', { nullable: true }),
  }),
});

PatientRef.implement({
  description: 'A patient registered at the site',
  fields: (t) => ({
    id: t.exposeID('id'),
    mrn: t.exposeString('mrn', { nullable: true, description: 'Given by the server; null until then' }),
    givenName: t.exposeString('givenName'),
    familyName: t.exposeString('familyName'),
    dob: t.field({ type: 'Date', resolve: (p) => p.dob }),
    sex: t.field({ type: Sex, resolve: (p) => p.sex }),
    phone: t.exposeString('phone', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    address: t.field({ type: Address, nullable: true, resolve: (p) => p.address }),
    preferredLanguage: t.exposeString('preferredLanguage', { description: 'BCP 47 language tag' }),
    insurance: t.field({ type: Insurance, nullable: true, resolve: (p) => p.insurance }),
    active: t.exposeBoolean('active'),
    mergedInto: t.exposeID('mergedInto', { nullable: true }),
    visits: t.field({
      type: AppointmentConnection,
      description: 'Visit history: the patient’s appointments, in start order (needs appointments:read)',
      args: {
        ...pageArgs,
        status: t.arg({ type: AppointmentStatus, required: false }),
      },
      complexity: perItem,
      resolve: async (patient, args, ctx) => {
        const api = servicesFor(ctx, 'appointments:read');
        const page = await findAppointments(ctx.deps.db, api, {
          patientId: patient.id,
          status: args.status ?? undefined,
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return readConnection(ctx, 'appointments', page as Page<Appointment>) as never;
      },
    }),
  }),
});

const WorkingHours = builder.objectRef<Schedule['weeklyHours'][number]>('WorkingHours').implement({
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: '0 = Sunday … 6 = Saturday, in the site’s time zone' }),
    start: t.exposeString('start', { description: 'HH:MM, site-local' }),
    end: t.exposeString('end', { description: 'HH:MM, site-local' }),
  }),
});

const ScheduleException = builder.objectRef<Schedule['exceptions'][number]>('ScheduleException').implement({
  fields: (t) => ({
    date: t.field({ type: 'Date', resolve: (e) => e.date }),
    kind: t.exposeString('kind', { description: '"block" closes time, "extra" opens it' }),
    start: t.exposeString('start', { nullable: true }),
    end: t.exposeString('end', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

ScheduleRef.implement({
  description: 'A provider’s working hours at the site',
  fields: (t) => ({
    id: t.exposeID('id'),
    providerId: t.exposeID('providerId'),
    slotMinutes: t.exposeInt('slotMinutes'),
    weeklyHours: t.field({ type: [WorkingHours], resolve: (s) => s.weeklyHours }),
    exceptions: t.field({ type: [ScheduleException], resolve: (s) => s.exceptions }),
  }),
});

export const Slot = builder.objectRef<{ start: string; end: string }>('Slot').implement({
  description: 'A bookable span of a provider’s time',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (s) => s.start }),
    end: t.field({ type: 'DateTime', resolve: (s) => s.end }),
  }),
});

ProviderRef.implement({
  description: 'A clinician who sees patients at the site',
  fields: (t) => ({
    id: t.exposeID('id'),
    displayName: t.exposeString('displayName'),
    specialties: t.stringList({
      description: 'What the provider practises (empty when not recorded)',
      resolve: (p) => (p.specialty ? [p.specialty] : []),
    }),
    active: t.exposeBoolean('active'),
    schedule: t.field({
      type: ScheduleRef,
      nullable: true,
      description: 'Working hours at the client’s site (needs schedules:read)',
      resolve: (p, _args, ctx) => servicesFor(ctx, 'schedules:read').scheduleOf(p.id),
    }),
    freeSlots: t.field({
      type: [Slot],
      description: 'The free slots on a site-local date, from the schedule and the bookings (needs schedules:read)',
      args: { date: t.arg({ type: 'Date', required: true }) },
      complexity: { field: 5, multiplier: 1 },
      resolve: (p, args, ctx) => servicesFor(ctx, 'schedules:read').freeSlots(p.id, args.date),
    }),
  }),
});

RoomRef.implement({
  description: 'A room patients are called to',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: RoomKind, resolve: (r) => r.kind }),
    equipment: t.exposeStringList('equipment'),
    status: t.field({ type: RoomStatus, resolve: (r) => r.status }),
  }),
});

/** A linked record of the client's site, read under the scope REST asks for it. */
function linked<K extends CollectionName>(collection: K, scope: Parameters<typeof requireScope>[1]) {
  return (id: string | null, ctx: GraphQLContext) =>
    id === null ? null : recordOrNull(ctx, collection, id, requireScope(ctx, scope).siteId);
}
const patientById = linked('patients', 'patients:read');
const providerById = linked('providers', 'schedules:read');
const roomById = linked('rooms', 'schedules:read');
const appointmentById = linked('appointments', 'appointments:read');

AppointmentRef.implement({
  description: 'A booked visit',
  fields: (t) => ({
    id: t.exposeID('id'),
    patientId: t.exposeID('patientId'),
    providerId: t.exposeID('providerId'),
    roomId: t.exposeID('roomId', { nullable: true }),
    start: t.field({ type: 'DateTime', resolve: (a) => a.start }),
    end: t.field({ type: 'DateTime', resolve: (a) => a.end }),
    visitType: t.exposeString('visitType'),
    status: t.field({ type: AppointmentStatus, resolve: (a) => a.status }),
    checkedInAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.checkedInAt }),
    checkInSource: t.exposeString('checkInSource', { nullable: true, description: 'desk, kiosk, api or server' }),
    copayCents: t.exposeInt('copayCents', { nullable: true }),
    notes: t.exposeString('notes', { nullable: true }),
    patient: t.field({
      type: PatientRef,
      nullable: true,
      description: 'Needs patients:read',
      resolve: (a, _args, ctx) => patientById(a.patientId, ctx),
    }),
    provider: t.field({
      type: ProviderRef,
      nullable: true,
      description: 'Needs schedules:read',
      resolve: (a, _args, ctx) => providerById(a.providerId, ctx),
    }),
    room: t.field({
      type: RoomRef,
      nullable: true,
      description: 'Needs schedules:read',
      resolve: (a, _args, ctx) => roomById(a.roomId, ctx),
    }),
  }),
});

QueueEntryRef.implement({
  description: 'A ticket in one of the site’s queues',
  fields: (t) => ({
    id: t.exposeID('id'),
    queue: t.exposeString('queue'),
    ticketCode: t.exposeString('ticketCode'),
    priority: t.field({ type: QueuePriority, resolve: (q) => q.priority }),
    status: t.field({ type: QueueStatus, resolve: (q) => q.status }),
    checkedInAt: t.field({ type: 'DateTime', resolve: (q) => q.checkedInAt }),
    calledAt: t.field({ type: 'DateTime', nullable: true, resolve: (q) => q.calledAt }),
    patientId: t.exposeID('patientId'),
    appointmentId: t.exposeID('appointmentId', { nullable: true }),
    roomId: t.exposeID('roomId', { nullable: true }),
    patient: t.field({
      type: PatientRef,
      nullable: true,
      description: 'Needs patients:read',
      resolve: (q, _args, ctx) => patientById(q.patientId, ctx),
    }),
    appointment: t.field({
      type: AppointmentRef,
      nullable: true,
      description: 'Null for a walk-in; needs appointments:read',
      resolve: (q, _args, ctx) => appointmentById(q.appointmentId, ctx),
    }),
    room: t.field({
      type: RoomRef,
      nullable: true,
      description: 'Needs schedules:read',
      resolve: (q, _args, ctx) => roomById(q.roomId, ctx),
    }),
  }),
});
