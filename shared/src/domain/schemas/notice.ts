import { z } from 'zod';
import { idSchema } from '../ids.js';
import { isoDateTime, replicatedFields, text } from './common.js';

/**
 * Staff notices (docs/architecture.md §9.1 and §9.6): one collection for what
 * the desk should hear of: a booking made online, a patient's confirm or
 * cancel from a reminder, a freed time that suits someone on the waitlist, an
 * attention flag, a message's delivery. Written by the server only; staff mark
 * them read. Kiosks and displays never hold them. A notice points at records
 * by id and carries no name: the desk shows names from its own replica.
 */
export const noticeKinds = [
  'online-booking',
  'patient-confirmed',
  'patient-cancelled',
  'waitlist-offer',
  'attention',
  'message-delivery',
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

export const messageStates = ['sent', 'failed', 'uncertain'] as const;

export const noticeSchema = z.object({
  ...replicatedFields,
  siteId: idSchema,
  kind: z.enum(noticeKinds),
  raisedAt: isoDateTime,
  appointmentId: idSchema.nullable(),
  patientId: idSchema.nullable(),
  /** A waitlist offer: the waitlist entry the freed time suits, and the time. */
  offer: z.object({ waitlistEntryId: idSchema, providerId: idSchema, start: isoDateTime, end: isoDateTime }).nullable(),
  /** A message's delivery: what was sent how, and how it went (the provider's last error, never the text). */
  delivery: z
    .object({
      messageId: idSchema,
      purpose: z.enum(['reminder', 'almost-turn']),
      channel: z.enum(['email', 'sms']),
      state: z.enum(messageStates),
      attempts: z.number().int().min(0).max(1000),
      error: text.max(500).nullable(),
    })
    .nullable(),
  /** An attention flag's code and reason, as the flagged record holds it. */
  flag: z
    .object({ collection: text.max(40), recordId: idSchema, code: text.max(60), reason: text.max(500) })
    .nullable(),
  /** Set by staff when handled: the only fields a desk writes. */
  readAt: isoDateTime.nullable(),
  readBy: text.max(100).nullable(),
});
export type Notice = z.infer<typeof noticeSchema>;

/** The fields staff may write on a notice; everything else is the server's. */
export const noticeStaffFields = ['readAt', 'readBy'] as const;
