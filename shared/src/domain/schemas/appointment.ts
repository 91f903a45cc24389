import { z } from 'zod';
import { idSchema } from '../ids.js';
import type { Lifecycle } from '../lifecycle.js';
import { isoDateTime, replicatedFields, statusEventSchema } from './common.js';

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

export const appointmentStatusEventSchema = statusEventSchema(appointmentStatuses);

export const appointmentFields = z.object({
  ...replicatedFields,
  siteId: idSchema,
  patientId: idSchema,
  providerId: idSchema,
  roomId: idSchema.nullable(),
  start: isoDateTime,
  end: isoDateTime,
  visitType: z.string().min(1).max(64),
  /** Derived from statusLog; see lifecycle.ts. */
  status: z.enum(appointmentStatuses),
  checkedInAt: isoDateTime.nullable(),
  checkInSource: z.enum(['desk', 'kiosk', 'api', 'server']).nullable(),
  copayCents: z.number().int().min(0).max(10_000_000).nullable(),
  notes: z.string().max(4000).nullable(),
  statusLog: z.array(appointmentStatusEventSchema).min(1).max(200),
});

export const appointmentSchema = appointmentFields.refine((a) => a.start < a.end, {
  message: 'an appointment must end after it starts',
  path: ['end'],
});
export type Appointment = z.infer<typeof appointmentSchema>;
