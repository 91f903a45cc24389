import type { Appointment, QueueEntry } from '@medisync/shared/domain';
import { z } from 'zod';
import { bookBody, newPatientFields, patientCreate, patientUpdate, queueName, rescheduleBody } from '#api/inputs';
import { HttpError } from '#http/errors';
import { builder } from './builder.js';
import { servicesFor, touch, type GraphQLContext } from './context.js';
import { AppointmentRef, PatientRef, QueueEntryRef, Sex } from './types.js';

/**
 * Writes: the same services as REST's POST routes (api/service.ts), so the
 * same overlap and lifecycle rules hold, written once (docs/architecture.md
 * §9.3). Inputs are checked by REST's own zod schemas (api/inputs.ts). A
 * clash a client can act on is a typed result, not an error.
 */

/** The provider already holds an overlapping appointment. */
export class SlotTaken extends Error {
  constructor(
    message: string,
    readonly appointmentIds: string[],
  ) {
    super(message);
  }
}

/** The appointment's lifecycle does not allow the step from where it stands (cancelling a fulfilled visit). */
export class TransitionNotAllowed extends Error {}

builder.objectType(SlotTaken, {
  name: 'SlotTaken',
  description: 'The provider is already booked at an overlapping time; nothing was written',
  fields: (t) => ({
    message: t.exposeString('message'),
    appointmentIds: t.exposeIDList('appointmentIds', { description: 'The bookings the new time overlaps' }),
  }),
});

builder.objectType(TransitionNotAllowed, {
  name: 'TransitionNotAllowed',
  description: 'The appointment cannot make this step from its current status; nothing was written',
  fields: (t) => ({ message: t.exposeString('message') }),
});

/** The service's expected refusals as typed results; anything else stays an error with its code. */
async function typed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError && error.code === 'slot-taken') {
      const ids = (error.details as { appointmentIds?: string[] } | undefined)?.appointmentIds ?? [];
      throw new SlotTaken(error.message, ids);
    }
    if (error instanceof HttpError && error.code === 'transition-not-allowed') {
      throw new TransitionNotAllowed(error.message);
    }
    throw error;
  }
}

function wrote<T extends { id: string }>(ctx: GraphQLContext, collection: 'patients' | 'appointments', record: T) {
  touch(ctx, 'write', collection, [record.id]);
  return record;
}

const AddressInput = builder.inputType('AddressInput', {
  fields: (t) => ({
    line1: t.string({ required: true }),
    line2: t.string(),
    city: t.string({ required: true }),
    region: t.string(),
    postalCode: t.string({ required: true }),
    country: t.string({ required: true, description: 'ISO 3166-1 alpha-2' }),
  }),
});

const InsuranceInput = builder.inputType('InsuranceInput', {
  fields: (t) => ({
    payer: t.string({ required: true }),
    memberId: t.string({ required: true }),
    groupNumber: t.string(),
  }),
});

/** The fields of a patient an integration may set; REST's PatientCreate and PatientUpdate check them. */
const patientFields = (required: boolean) =>
  builder.inputType(required ? 'PatientCreateInput' : 'PatientUpdateInput', {
    fields: (t) => ({
      givenName: t.string({ required }),
      familyName: t.string({ required }),
      dob: t.field({ type: 'Date', required }),
      sex: t.field({ type: Sex, required }),
      phone: t.string(),
      email: t.string(),
      address: t.field({ type: AddressInput }),
      preferredLanguage: t.string({ description: 'BCP 47; default "en"' }),
      insurance: t.field({ type: InsuranceInput }),
      active: t.boolean(),
    }),
  });
const PatientCreateInput = patientFields(true);
const PatientUpdateInput = patientFields(false);

/** GraphQL sends an absent optional field as undefined; REST's schemas read absent fields the same way. */
const withoutUndefined = (input: object) =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));

const CheckInResult = builder.objectRef<{ appointment: Appointment; queueEntry: QueueEntry }>('CheckIn').implement({
  description: 'The checked-in appointment and the patient’s queue ticket',
  fields: (t) => ({
    appointment: t.field({ type: AppointmentRef, resolve: (r) => r.appointment }),
    queueEntry: t.field({ type: QueueEntryRef, resolve: (r) => r.queueEntry }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    createPatient: t.field({
      type: PatientRef,
      description: 'Registers a patient; the server gives the MRN (needs patients:write)',
      args: { input: t.arg({ type: PatientCreateInput, required: true }) },
      validate: { schema: z.object({ input: patientCreate }) },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'patients:write');
        // The zod plugin has checked the input against REST's schema (validate above).
        const input = withoutUndefined(args.input) as z.output<typeof patientCreate>;
        return wrote(ctx, 'patients', await api.createPatient(newPatientFields(input)));
      },
    }),
    updatePatient: t.field({
      type: PatientRef,
      description: 'Changes a patient’s details (needs patients:write)',
      args: {
        id: t.arg.id({ required: true, validate: { schema: z.uuid() } }),
        input: t.arg({ type: PatientUpdateInput, required: true }),
      },
      validate: { schema: z.object({ id: z.uuid(), input: patientUpdate }) },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'patients:write');
        const patch = withoutUndefined(args.input) as z.output<typeof patientUpdate>;
        return wrote(ctx, 'patients', await api.updatePatient(String(args.id), patch));
      },
    }),
    bookAppointment: t.field({
      type: AppointmentRef,
      description: 'Books a slot; a slot the provider already holds answers SlotTaken (needs appointments:write)',
      errors: { types: [SlotTaken], directResult: true },
      args: {
        patientId: t.arg.id({ required: true }),
        providerId: t.arg.id({ required: true }),
        start: t.arg({ type: 'DateTime', required: true }),
        end: t.arg({ type: 'DateTime', description: 'Default: one slot of the provider’s schedule' }),
        visitType: t.arg.string({ required: true }),
        roomId: t.arg.id(),
        notes: t.arg.string(),
        copayCents: t.arg.int(),
      },
      validate: { schema: bookBody },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'appointments:write');
        const input = withoutUndefined(args) as z.output<typeof bookBody>;
        return wrote(ctx, 'appointments', await typed(() => api.book(input)));
      },
    }),
    rescheduleAppointment: t.field({
      type: AppointmentRef,
      description: 'Moves a visit, the same length unless an end is given (needs appointments:write)',
      errors: { types: [SlotTaken, TransitionNotAllowed], directResult: true },
      args: {
        id: t.arg.id({ required: true }),
        start: t.arg({ type: 'DateTime', required: true }),
        end: t.arg({ type: 'DateTime' }),
      },
      validate: { schema: rescheduleBody.extend({ id: z.uuid() }) },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'appointments:write');
        const appointment = await typed(() => api.reschedule(String(args.id), args.start, args.end ?? undefined));
        return wrote(ctx, 'appointments', appointment);
      },
    }),
    cancelAppointment: t.field({
      type: AppointmentRef,
      description: 'Cancels a visit (needs appointments:write)',
      errors: { types: [TransitionNotAllowed], directResult: true },
      args: { id: t.arg.id({ required: true, validate: { schema: z.uuid() } }) },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'appointments:write');
        return wrote(ctx, 'appointments', await typed(() => api.transitionAppointment(String(args.id), 'cancelled')));
      },
    }),
    checkInAppointment: t.field({
      type: CheckInResult,
      description: 'The patient is here: checked in, and a ticket in the queue (needs appointments:write)',
      errors: { types: [TransitionNotAllowed], directResult: true },
      args: {
        id: t.arg.id({ required: true, validate: { schema: z.uuid() } }),
        queue: t.arg.string({ defaultValue: 'reception', validate: { schema: queueName } }),
      },
      resolve: async (_root, args, ctx) => {
        const api = servicesFor(ctx, 'appointments:write');
        const result = await typed(() => api.checkIn(String(args.id), args.queue ?? 'reception'));
        touch(ctx, 'write', 'appointments', [result.appointment.id]);
        touch(ctx, 'write', 'queueEntries', [result.queueEntry.id]);
        return result;
      },
    }),
  }),
});
