import { findAppointments, findPatients, findSchedules, findTodaysQueue } from '#api/listings';
import { listRecords } from '#api/records';
import { builder } from './builder.js';
import { requireScope, servicesFor } from './context.js';
import {
  AppointmentConnection,
  AppointmentRef,
  AppointmentStatus,
  PatientConnection,
  PatientRef,
  ProviderConnection,
  ProviderRef,
  QueueEntryConnection,
  QueueStatus,
  recordOrNull,
  RoomConnection,
  ScheduleConnection,
  pageArgs,
  perItem,
  readConnection,
  toConnection,
} from './types.js';

/** Reads: the same searches, scopes and site as REST's GET routes (api/listings.ts). */
builder.queryType({
  fields: (t) => ({
    patient: t.field({
      type: PatientRef,
      nullable: true,
      description: 'A patient of the site by id; null when there is none (needs patients:read)',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) =>
        recordOrNull(ctx, 'patients', String(args.id), requireScope(ctx, 'patients:read').siteId),
    }),
    patients: t.field({
      type: PatientConnection,
      description: 'Patients by part of a name, date of birth or MRN (needs patients:read)',
      args: {
        name: t.arg.string({ required: false, validate: { minLength: 1, maxLength: 100 } }),
        dob: t.arg({ type: 'Date', required: false }),
        mrn: t.arg.string({ required: false, validate: { maxLength: 32 } }),
        ...pageArgs,
      },
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const client = requireScope(ctx, 'patients:read');
        const page = await findPatients(ctx.deps.db, client.siteId, {
          name: args.name ?? undefined,
          dob: args.dob ?? undefined,
          mrn: args.mrn ?? undefined,
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return readConnection(ctx, 'patients', page);
      },
    }),
    provider: t.field({
      type: ProviderRef,
      nullable: true,
      description: 'A provider of the site by id (needs schedules:read)',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) =>
        recordOrNull(ctx, 'providers', String(args.id), requireScope(ctx, 'schedules:read').siteId),
    }),
    providers: t.field({
      type: ProviderConnection,
      description: 'The site’s providers (needs schedules:read)',
      args: pageArgs,
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const client = requireScope(ctx, 'schedules:read');
        const page = await listRecords(ctx.deps.db, 'providers', client.siteId, {
          filters: [],
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return toConnection(page);
      },
    }),
    rooms: t.field({
      type: RoomConnection,
      description: 'The site’s rooms (needs schedules:read)',
      args: pageArgs,
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const client = requireScope(ctx, 'schedules:read');
        const page = await listRecords(ctx.deps.db, 'rooms', client.siteId, {
          filters: [],
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return toConnection(page);
      },
    }),
    schedules: t.field({
      type: ScheduleConnection,
      description: 'Working schedules, optionally of one provider (needs schedules:read)',
      args: { providerId: t.arg.id({ required: false }), ...pageArgs },
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const client = requireScope(ctx, 'schedules:read');
        const page = await findSchedules(ctx.deps.db, client.siteId, {
          providerId: args.providerId == null ? undefined : String(args.providerId),
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return toConnection(page);
      },
    }),
    appointment: t.field({
      type: AppointmentRef,
      nullable: true,
      description: 'An appointment of the site by id (needs appointments:read)',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) =>
        recordOrNull(ctx, 'appointments', String(args.id), requireScope(ctx, 'appointments:read').siteId),
    }),
    appointments: t.field({
      type: AppointmentConnection,
      description:
        'Appointments in start order by site-local date, provider, patient, status (needs appointments:read)',
      args: {
        date: t.arg({ type: 'Date', required: false }),
        providerId: t.arg.id({ required: false }),
        patientId: t.arg.id({ required: false }),
        status: t.arg({ type: AppointmentStatus, required: false }),
        ...pageArgs,
      },
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const page = await findAppointments(ctx.deps.db, servicesFor(ctx, 'appointments:read'), {
          date: args.date ?? undefined,
          providerId: args.providerId == null ? undefined : String(args.providerId),
          patientId: args.patientId == null ? undefined : String(args.patientId),
          status: args.status ?? undefined,
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return readConnection(ctx, 'appointments', page);
      },
    }),
    queue: t.field({
      type: QueueEntryConnection,
      description: 'Today’s queue entries at the site in check-in order, by queue and status (needs queue:read)',
      args: {
        queue: t.arg.string({ required: false, validate: { maxLength: 32 } }),
        status: t.arg({ type: QueueStatus, required: false }),
        ...pageArgs,
      },
      complexity: perItem,
      resolve: async (_root, args, ctx) => {
        const client = requireScope(ctx, 'queue:read');
        const page = await findTodaysQueue(ctx.deps.db, client.siteId, {
          queue: args.queue ?? undefined,
          status: args.status ?? undefined,
          cursor: args.after ?? undefined,
          limit: args.first ?? 50,
        });
        return readConnection(ctx, 'queueEntries', page);
      },
    }),
  }),
});
