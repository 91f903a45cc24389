import { z } from 'zod';
import { idSchema } from '../ids.js';
import type { Lifecycle } from '../lifecycle.js';
import { appointmentCodeHashSchema } from '../reminders-code.js';
import { isoDateTime, replicatedFields, statusEventSchema, text } from './common.js';

/** HL7 FHIR R4 AppointmentStatus. */
export const appointmentStatuses = [
  'proposed',
  'pending',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
  'entered-in-error',
  'checked-in',
  'waitlist',
] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

export const appointmentLifecycle: Lifecycle<AppointmentStatus> = {
  name: 'appointment',
  statuses: appointmentStatuses,
  initial: ['proposed', 'pending', 'booked', 'waitlist'],
  transitions: {
    proposed: ['pending', 'booked', 'waitlist', 'cancelled', 'entered-in-error'],
    pending: ['booked', 'waitlist', 'cancelled', 'entered-in-error'],
    waitlist: ['booked', 'proposed', 'cancelled', 'entered-in-error'],
    booked: ['checked-in', 'arrived', 'cancelled', 'noshow', 'waitlist', 'entered-in-error'],
    // Undoing a check-in made by mistake returns the appointment to booked.
    'checked-in': ['arrived', 'fulfilled', 'booked', 'entered-in-error'],
    arrived: ['fulfilled', 'checked-in', 'booked', 'entered-in-error'],
    fulfilled: ['entered-in-error'],
    // Restoring a cancelled appointment or taking back a no-show is a normal desk action.
    cancelled: ['booked', 'entered-in-error'],
    noshow: ['booked', 'checked-in', 'arrived', 'entered-in-error'],
    'entered-in-error': [],
  },
  presence: ['checked-in', 'arrived', 'fulfilled'],
  absence: ['cancelled', 'noshow'],
  undo: [
    ['checked-in', 'booked'],
    ['arrived', 'booked'],
    ['noshow', 'booked'],
    ['cancelled', 'booked'],
  ],
  roles: {
    admin: 'any',
    desk: 'any',
    server: 'any',
    integration: 'any',
    // A lobby kiosk only checks a booked patient in; anything else needs a person at the desk.
    kiosk: [['booked', 'checked-in']],
    // The waiting-room screen shows; it changes nothing.
    display: [],
  },
};

export const noShowRiskBands = ['low', 'medium', 'high'] as const;
export type NoShowRiskBand = (typeof noShowRiskBands)[number];

export const noShowRiskSchema = z.object({
  probability: z.number().min(0).max(1),
  band: z.enum(noShowRiskBands),
  scoredAt: isoDateTime,
  /** Which training run scored it, e.g. "2026-11-30T06:00:00.000Z". */
  model: text.max(64),
});
export type NoShowRisk = z.infer<typeof noShowRiskSchema>;

export const appointmentStatusEventSchema = statusEventSchema(appointmentStatuses);

export const appointmentFields = z.object({
  ...replicatedFields,
  siteId: idSchema,
  patientId: idSchema,
  providerId: idSchema,
  roomId: idSchema.nullable(),
  start: isoDateTime,
  end: isoDateTime,
  visitType: text.min(1).max(64),
  /** Derived from statusLog; see lifecycle.ts. */
  status: z.enum(appointmentStatuses),
  checkedInAt: isoDateTime.nullable(),
  checkInSource: z.enum(['desk', 'kiosk', 'api', 'server']).nullable(),
  copayCents: z.number().int().min(0).max(10_000_000).nullable(),
  notes: text.max(4000).nullable(),
  statusLog: z.array(appointmentStatusEventSchema).min(1).max(200),
  /**
   * Server-written when a reminder carries the appointment's code: the code's
   * hash under the site and the appointment's date (reminders-code.ts), never
   * the code. Absent on appointments no reminder was sent for.
   */
  checkInCodeHash: appointmentCodeHashSchema.nullable().optional(),
  /** When the patient confirmed from a reminder's link (server-written); absent or null until then. */
  reminderConfirmedAt: isoDateTime.nullable().optional(),
  /**
   * The chance the patient will not come, written by the server's no-show model
   * on upcoming appointments (docs/architecture.md §9.8). Staff only: the kiosk's
   * projection never carries it. Absent until the model has scored the visit.
   */
  noShowRisk: noShowRiskSchema.nullable().optional(),
});

export const appointmentSchema = appointmentFields.refine((a) => a.start < a.end, {
  message: 'an appointment must end after it starts',
  path: ['end'],
});
export type Appointment = z.infer<typeof appointmentSchema>;
