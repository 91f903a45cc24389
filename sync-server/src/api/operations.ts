import {
  appointmentStatuses,
  isStorableText,
  localDate,
  queuePriorities,
  queueStatuses,
  text,
  unstorableTextMessage,
} from '@medisync/shared/domain';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { z } from 'zod';
import { actorOf, type AuditLog } from '#audit/audit-log';
import { requestOrigin } from '#auth/authenticate';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import { billingOperations } from '#billing/operations';
import type { EmailChannel } from '#reminders/channels/channel';
import { reportOperations } from '#reports/operations';
import { webhookEventTypes } from '#webhooks/events';
import {
  createSubscription,
  deactivateSubscription,
  deliverySchema,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  subscriptionSchema,
} from '#webhooks/subscriptions';
import { bookBody, newPatientFields, patientCreate, patientUpdate, queueName, rescheduleBody } from './inputs.js';
import { operation, type Operation } from './operation.js';
import { findAppointments, findPatients, findSchedules, findTodaysQueue } from './listings.js';
import { apiSchemas, listRecords, readRecord, toApi } from './records.js';

const idParams = z.object({ id: z.uuid() });
const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = text.max(500).optional();
const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() }).meta({ id: name });
const slot = z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).meta({ id: 'Slot' });

export interface OperationDeps {
  db: Db;
  audit: AuditLog;
  /** Writes reach devices live (billing's claims). */
  log: Logger;
  io: Server;
  /** Billing emails invoices through it. */
  email?: EmailChannel | null;
}

/** Every operation of `/api/v1`, in the order the docs list them. */
export function operations(deps: OperationDeps): Operation[] {
  const audit = (
    ctx: { client: Parameters<typeof actorOf>[0]; req: Parameters<typeof requestOrigin>[0] },
    action: 'read' | 'write',
    collection: string,
    ids: string[],
  ) =>
    ids.length === 0
      ? Promise.resolve()
      : deps.audit.record({
          actor: actorOf(ctx.client),
          action,
          collection,
          recordIds: ids,
          via: `api ${ctx.req.method} ${ctx.req.baseUrl}${ctx.req.route?.path ?? ''}`,
          ...requestOrigin(ctx.req),
        });

  return [
    // Patients
    operation({
      method: 'get',
      path: '/patients',
      operationId: 'listPatients',
      summary: 'List patients, filtered by name, date of birth or MRN',
      tag: 'Patients',
      scope: 'patients:read',
      query: z.object({
        name: text.min(1).max(100).optional(),
        dob: localDate.optional(),
        mrn: text.max(32).optional(),
        limit,
        cursor,
      }),
      status: 200,
      response: page(apiSchemas.patients, 'PatientPage'),
      handler: async (ctx) => {
        const result = await findPatients(deps.db, ctx.client.siteId, ctx.query);
        await audit(
          ctx,
          'read',
          'patients',
          result.data.map((p) => p.id),
        );
        return { data: result.data.map((p) => toApi(p)), nextCursor: result.nextCursor };
      },
    }),
    operation({
      method: 'get',
      path: '/patients/:id',
      operationId: 'getPatient',
      summary: 'Read a patient',
      tag: 'Patients',
      scope: 'patients:read',
      params: idParams,
      status: 200,
      response: apiSchemas.patients,
      errors: [404],
      handler: async (ctx) => {
        const patient = await readRecord(deps.db, 'patients', ctx.params.id, ctx.client.siteId);
        await audit(ctx, 'read', 'patients', [patient.id]);
        return toApi(patient);
      },
    }),
    operation({
      method: 'post',
      path: '/patients',
      operationId: 'createPatient',
      summary: 'Register a patient (the server gives the MRN)',
      tag: 'Patients',
      scope: 'patients:write',
      body: patientCreate,
      status: 201,
      response: apiSchemas.patients,
      handler: async (ctx) => {
        const patient = await ctx.api.createPatient(newPatientFields(ctx.body));
        await audit(ctx, 'write', 'patients', [patient.id]);
        return toApi(patient);
      },
    }),
    operation({
      method: 'patch',
      path: '/patients/:id',
      operationId: 'updatePatient',
      summary: 'Change a patient’s details',
      tag: 'Patients',
      scope: 'patients:write',
      params: idParams,
      body: patientUpdate,
      status: 200,
      response: apiSchemas.patients,
      errors: [404],
      handler: async (ctx) => {
        const patient = await ctx.api.updatePatient(ctx.params.id, ctx.body);
        await audit(ctx, 'write', 'patients', [patient.id]);
        return toApi(patient);
      },
    }),

    // Providers, rooms, schedules
    operation({
      method: 'get',
      path: '/providers',
      operationId: 'listProviders',
      summary: 'List the site’s providers',
      tag: 'Schedules',
      scope: 'schedules:read',
      query: z.object({ limit, cursor }),
      status: 200,
      response: page(apiSchemas.providers, 'ProviderPage'),
      handler: async (ctx) => {
        const result = await listRecords(deps.db, 'providers', ctx.client.siteId, { filters: [], ...ctx.query });
        return { data: result.data.map((p) => toApi(p)), nextCursor: result.nextCursor };
      },
    }),
    operation({
      method: 'get',
      path: '/providers/:id/slots',
      operationId: 'listFreeSlots',
      summary: 'A provider’s free slots on a site-local date',
      tag: 'Schedules',
      scope: 'schedules:read',
      params: idParams,
      query: z.object({
        date: localDate,
        visitType: text
          .min(1)
          .max(64)
          .optional()
          .describe('Only slots a room suitable for this visit type can take (equipment, maintenance)'),
      }),
      status: 200,
      response: z.object({ data: z.array(slot) }).meta({ id: 'SlotList' }),
      errors: [404],
      handler: async (ctx) => ({ data: await ctx.api.freeSlots(ctx.params.id, ctx.query.date, ctx.query.visitType) }),
    }),
    operation({
      method: 'get',
      path: '/rooms',
      operationId: 'listRooms',
      summary: 'List the site’s rooms',
      tag: 'Schedules',
      scope: 'schedules:read',
      query: z.object({ limit, cursor }),
      status: 200,
      response: page(apiSchemas.rooms, 'RoomPage'),
      handler: async (ctx) => {
        const result = await listRecords(deps.db, 'rooms', ctx.client.siteId, { filters: [], ...ctx.query });
        return { data: result.data.map((r) => toApi(r)), nextCursor: result.nextCursor };
      },
    }),
    operation({
      method: 'get',
      path: '/schedules',
      operationId: 'listSchedules',
      summary: 'List working schedules, optionally of one provider',
      tag: 'Schedules',
      scope: 'schedules:read',
      query: z.object({ providerId: z.uuid().optional(), limit, cursor }),
      status: 200,
      response: page(apiSchemas.schedules, 'SchedulePage'),
      handler: async (ctx) => {
        const result = await findSchedules(deps.db, ctx.client.siteId, ctx.query);
        return { data: result.data.map((s) => toApi(s)), nextCursor: result.nextCursor };
      },
    }),

    // Appointments
    operation({
      method: 'get',
      path: '/appointments',
      operationId: 'listAppointments',
      summary: 'List appointments by site-local date, provider, patient and status, in start order',
      tag: 'Appointments',
      scope: 'appointments:read',
      query: z.object({
        date: localDate.optional(),
        providerId: z.uuid().optional(),
        patientId: z.uuid().optional(),
        status: z.enum(appointmentStatuses).optional(),
        limit,
        cursor,
      }),
      status: 200,
      response: page(apiSchemas.appointments, 'AppointmentPage'),
      handler: async (ctx) => {
        const result = await findAppointments(deps.db, ctx.api, ctx.query);
        await audit(
          ctx,
          'read',
          'appointments',
          result.data.map((a) => a.id),
        );
        return { data: result.data.map((a) => toApi(a)), nextCursor: result.nextCursor };
      },
    }),
    operation({
      method: 'get',
      path: '/appointments/:id',
      operationId: 'getAppointment',
      summary: 'Read an appointment',
      tag: 'Appointments',
      scope: 'appointments:read',
      params: idParams,
      status: 200,
      response: apiSchemas.appointments,
      errors: [404],
      handler: async (ctx) => {
        const appointment = await readRecord(deps.db, 'appointments', ctx.params.id, ctx.client.siteId);
        await audit(ctx, 'read', 'appointments', [appointment.id]);
        return toApi(appointment);
      },
    }),
    operation({
      method: 'post',
      path: '/appointments',
      operationId: 'bookAppointment',
      summary:
        'Book an appointment; 409 slot-taken when the provider is already booked then, no-room when no suitable room or equipment is free',
      tag: 'Appointments',
      scope: 'appointments:write',
      body: bookBody,
      status: 201,
      response: apiSchemas.appointments,
      errors: [404, 409],
      handler: async (ctx) => {
        const appointment = await ctx.api.book(ctx.body);
        await audit(ctx, 'write', 'appointments', [appointment.id]);
        return toApi(appointment);
      },
    }),
    operation({
      method: 'post',
      path: '/appointments/:id/reschedule',
      operationId: 'rescheduleAppointment',
      summary: 'Move an appointment to another time (the same length unless an end is given)',
      tag: 'Appointments',
      scope: 'appointments:write',
      params: idParams,
      body: rescheduleBody,
      status: 200,
      response: apiSchemas.appointments,
      errors: [404, 409],
      handler: async (ctx) => {
        const appointment = await ctx.api.reschedule(ctx.params.id, ctx.body.start, ctx.body.end);
        await audit(ctx, 'write', 'appointments', [appointment.id]);
        return toApi(appointment);
      },
    }),
    operation({
      method: 'post',
      path: '/appointments/:id/cancel',
      operationId: 'cancelAppointment',
      summary: 'Cancel an appointment',
      tag: 'Appointments',
      scope: 'appointments:write',
      params: idParams,
      status: 200,
      response: apiSchemas.appointments,
      errors: [404, 409],
      handler: async (ctx) => {
        const appointment = await ctx.api.transitionAppointment(ctx.params.id, 'cancelled');
        await audit(ctx, 'write', 'appointments', [appointment.id]);
        return toApi(appointment);
      },
    }),
    operation({
      method: 'post',
      path: '/appointments/:id/check-in',
      operationId: 'checkInAppointment',
      summary: 'Check the patient in: the appointment becomes checked-in and the patient joins the queue',
      tag: 'Appointments',
      scope: 'appointments:write',
      params: idParams,
      body: z
        .object({ queue: queueName.default('reception') })
        .default({ queue: 'reception' })
        .meta({ id: 'CheckIn' }),
      status: 200,
      response: z
        .object({ appointment: apiSchemas.appointments, queueEntry: apiSchemas.queueEntries })
        .meta({ id: 'CheckInResult' }),
      errors: [404, 409],
      handler: async (ctx) => {
        const result = await ctx.api.checkIn(ctx.params.id, ctx.body.queue);
        await audit(ctx, 'write', 'appointments', [result.appointment.id]);
        await audit(ctx, 'write', 'queueEntries', [result.queueEntry.id]);
        return { appointment: toApi(result.appointment), queueEntry: toApi(result.queueEntry) };
      },
    }),

    // Queue
    operation({
      method: 'get',
      path: '/queue-entries',
      operationId: 'listQueueEntries',
      summary: 'Today’s queue entries at the site, by queue and status',
      tag: 'Queue',
      scope: 'queue:read',
      query: z.object({
        queue: text.max(32).optional(),
        status: z.enum(queueStatuses).optional(),
        limit,
        cursor,
      }),
      status: 200,
      response: page(apiSchemas.queueEntries, 'QueueEntryPage'),
      handler: async (ctx) => {
        const result = await findTodaysQueue(deps.db, ctx.client.siteId, ctx.query);
        await audit(
          ctx,
          'read',
          'queueEntries',
          result.data.map((q) => q.id),
        );
        return { data: result.data.map((q) => toApi(q)), nextCursor: result.nextCursor };
      },
    }),
    operation({
      method: 'post',
      path: '/queue-entries',
      operationId: 'checkInToQueue',
      summary: 'Check a patient in to a queue (a walk-in, or an arrival for an appointment)',
      tag: 'Queue',
      scope: 'queue:write',
      body: z
        .object({
          patientId: z.uuid(),
          appointmentId: z.uuid().nullable().default(null),
          queue: queueName.default('reception'),
          priority: z.enum(queuePriorities).default('normal'),
        })
        .meta({ id: 'QueueCheckIn' }),
      status: 201,
      response: apiSchemas.queueEntries,
      errors: [404],
      handler: async (ctx) => {
        const entry = await ctx.api.joinQueue(ctx.body);
        await audit(ctx, 'write', 'queueEntries', [entry.id]);
        return toApi(entry);
      },
    }),

    // Webhooks
    operation({
      method: 'get',
      path: '/webhooks',
      operationId: 'listWebhooks',
      summary: 'List this client’s webhook subscriptions',
      tag: 'Webhooks',
      scope: 'webhooks:read',
      status: 200,
      response: z.object({ data: z.array(subscriptionSchema) }).meta({ id: 'WebhookSubscriptionList' }),
      handler: async (ctx) => ({ data: await listSubscriptions(deps.db, ctx.client.id) }),
    }),
    operation({
      method: 'post',
      path: '/webhooks',
      operationId: 'createWebhook',
      summary: 'Subscribe a URL to events; the signing secret is in this answer only',
      tag: 'Webhooks',
      scope: 'webhooks:write',
      body: z
        .object({
          url: z.url({ protocol: /^https?$/ }).refine(isStorableText, unstorableTextMessage),
          events: z.array(z.enum(webhookEventTypes)).min(1),
        })
        .meta({ id: 'WebhookSubscriptionCreate' }),
      status: 201,
      response: z
        .object({ subscription: subscriptionSchema, secret: z.string() })
        .meta({ id: 'WebhookSubscriptionCreated' }),
      handler: async (ctx) =>
        createSubscription(deps.db, { clientId: ctx.client.id, siteId: ctx.client.siteId, ...ctx.body }),
    }),
    operation({
      method: 'delete',
      path: '/webhooks/:id',
      operationId: 'deleteWebhook',
      summary: 'Stop a subscription',
      tag: 'Webhooks',
      scope: 'webhooks:write',
      params: idParams,
      status: 200,
      response: z.object({ id: z.uuid(), active: z.literal(false) }).meta({ id: 'WebhookSubscriptionStopped' }),
      errors: [404],
      handler: async (ctx) => {
        if (!(await deactivateSubscription(deps.db, ctx.client.id, ctx.params.id))) {
          throw new HttpError(404, 'not-found', `no webhook subscription ${ctx.params.id}`);
        }
        return { id: ctx.params.id, active: false };
      },
    }),
    operation({
      method: 'get',
      path: '/webhooks/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: 'The delivery log of a subscription, newest first, with every attempt',
      tag: 'Webhooks',
      scope: 'webhooks:read',
      params: idParams,
      query: z.object({ limit }),
      status: 200,
      response: z.object({ data: z.array(deliverySchema) }).meta({ id: 'WebhookDeliveryList' }),
      errors: [404],
      handler: async (ctx) => {
        if ((await getSubscription(deps.db, ctx.client.id, ctx.params.id)) === null) {
          throw new HttpError(404, 'not-found', `no webhook subscription ${ctx.params.id}`);
        }
        return { data: await listDeliveries(deps.db, ctx.params.id, ctx.query.limit) };
      },
    }),
    ...reportOperations(deps),
    ...billingOperations(deps),
  ];
}
