import { z } from 'zod';
import { idSchema } from '../ids.js';
import { localDate, replicatedFields } from './common.js';

export const patientSchema = z.object({
  ...replicatedFields,
  /** The site that registered the patient; patients are shared within it. */
  siteId: idSchema,
  /** Given by the server only; null until then ("MRN pending"). */
  mrn: z.string().max(32).nullable(),
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  dob: localDate,
  /** HL7 FHIR AdministrativeGender. */
  sex: z.enum(['female', 'male', 'other', 'unknown']),
  phone: z.string().max(40).nullable(),
  email: z.email().max(200).nullable(),
  address: z
    .object({
      line1: z.string().max(200),
      line2: z.string().max(200).nullable(),
      city: z.string().max(100),
      region: z.string().max(100).nullable(),
      postalCode: z.string().max(20),
      country: z.string().length(2),
    })
    .nullable(),
  /** BCP 47 language tag, e.g. "en", "es", "de". */
  preferredLanguage: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag'),
  insurance: z
    .object({
      payer: z.string().min(1).max(200),
      memberId: z.string().min(1).max(64),
      groupNumber: z.string().max(64).nullable(),
    })
    .nullable(),
  active: z.boolean(),
  mergedInto: idSchema.nullable(),
});
export type Patient = z.infer<typeof patientSchema>;

/** What screens show for a patient's MRN: the server's number, or "MRN pending" until it has given one. */
export function mrnLabel(patient: Pick<Patient, 'mrn'>): string {
  return patient.mrn ?? 'MRN pending';
}
