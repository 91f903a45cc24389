import { patientSchema, text, type NewRecord } from '@medisync/shared/domain';
import { z } from 'zod';

/**
 * What an integration may send to create or change records, for REST and
 * GraphQL alike: one zod schema per input, so both APIs refuse the same
 * requests with the same field named (docs/architecture.md §9.3).
 */
export const instant = z.iso.datetime({ offset: true });

const patientInput = patientSchema
  .pick({
    givenName: true,
    familyName: true,
    dob: true,
    sex: true,
    phone: true,
    email: true,
    address: true,
    preferredLanguage: true,
    insurance: true,
    active: true,
  })
  .partial({ phone: true, email: true, address: true, insurance: true, preferredLanguage: true, active: true });
export const patientCreate = patientInput.meta({ id: 'PatientCreate' });
export const patientUpdate = patientInput.partial().strict().meta({ id: 'PatientUpdate' });

/** A new patient's fields with the API's defaults for what the client left out. */
export function newPatientFields(
  input: z.output<typeof patientCreate>,
): Omit<NewRecord<'patients'>, 'id' | 'siteId' | 'mrn' | 'mergedInto'> {
  return {
    phone: null,
    email: null,
    address: null,
    insurance: null,
    preferredLanguage: 'en',
    active: true,
    ...input,
  };
}

export const bookBody = z
  .object({
    patientId: z.uuid(),
    providerId: z.uuid(),
    start: instant,
    /** Default: one slot of the provider's schedule. */
    end: instant.optional(),
    visitType: text.min(1).max(64),
    roomId: z.uuid().nullable().optional(),
    notes: text.max(4000).nullable().optional(),
    copayCents: z.number().int().min(0).nullable().optional(),
  })
  .meta({ id: 'AppointmentBooking' });

export const rescheduleBody = z.object({ start: instant, end: instant.optional() }).meta({ id: 'Reschedule' });

export const queueName = text.min(1).max(32);
