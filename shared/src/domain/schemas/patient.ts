import { z } from 'zod';
import { idSchema } from '../ids.js';
import { isoDateTime, localDate, replicatedFields, text } from './common.js';

/**
 * What the patient agreed to receive, per channel (docs/architecture.md §9.6):
 * reminders by email, reminders by SMS, and the "almost your turn" SMS while
 * waiting. An unsubscribe link or a STOP reply turns a channel off at once.
 */
export const contactConsentSchema = z.object({
  email: z.boolean(),
  sms: z.boolean(),
  almostTurnSms: z.boolean(),
  /** When the patient last changed it, and how: at the desk, the kiosk, or by opting out from a message. */
  changedAt: isoDateTime,
  changedVia: z.enum(['desk', 'kiosk', 'unsubscribe-link', 'sms-stop', 'api']),
});
export type ContactConsent = z.infer<typeof contactConsentSchema>;

export const patientSchema = z.object({
  ...replicatedFields,
  /** The site that registered the patient; patients are shared within it. */
  siteId: idSchema,
  /** Given by the server only; null until then ("MRN pending"). */
  mrn: text.max(32).nullable(),
  givenName: text.trim().min(1).max(100),
  familyName: text.trim().min(1).max(100),
  dob: localDate,
  /** HL7 FHIR AdministrativeGender. */
  sex: z.enum(['female', 'male', 'other', 'unknown']),
  phone: text.max(40).nullable(),
  email: z.email().max(200).nullable(),
  address: z
    .object({
      line1: text.max(200),
      line2: text.max(200).nullable(),
      city: text.max(100),
      region: text.max(100).nullable(),
      postalCode: text.max(20),
      country: text.length(2),
    })
    .nullable(),
  /** BCP 47 language tag, e.g. "en", "es", "de". */
  preferredLanguage: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag'),
  insurance: z
    .object({
      payer: text.min(1).max(200),
      memberId: text.min(1).max(64),
      groupNumber: text.max(64).nullable(),
    })
    .nullable(),
  active: z.boolean(),
  mergedInto: idSchema.nullable(),
  /**
   * Set on a duplicate when it is merged into `mergedInto`: which of its visits
   * were moved to the kept patient, so an admin can undo the merge exactly.
   * Absent on records written before merges were recorded.
   */
  mergeRecord: z
    .object({
      at: isoDateTime,
      by: text.min(1).max(100),
      /** Whether the duplicate was active before the merge, restored by an undo. */
      wasActive: z.boolean(),
      appointmentIds: z.array(idSchema).max(10_000),
      queueEntryIds: z.array(idSchema).max(10_000),
    })
    .nullable()
    .optional(),
  /** Absent or null: nothing agreed, so no reminder or notification is sent to this patient. */
  contactConsent: contactConsentSchema.nullable().optional(),
});
export type Patient = z.infer<typeof patientSchema>;

/** What screens show for a patient's MRN: the server's number, or "MRN pending" until it has given one. */
export function mrnLabel(patient: Pick<Patient, 'mrn'>): string {
  return patient.mrn ?? 'MRN pending';
}
