import { z } from 'zod';
import { idSchema } from '../ids.js';
import type { Lifecycle } from '../lifecycle.js';
import { isoDateTime, replicatedFields, statusEventSchema, text } from './common.js';
import { queueNameSchema } from './site.js';

export const queueStatuses = ['waiting', 'called', 'in-room', 'done', 'left', 'no-show'] as const;
export type QueueStatus = (typeof queueStatuses)[number];

export const queuePriorities = ['normal', 'assist', 'urgent'] as const;
export type QueuePriority = (typeof queuePriorities)[number];

export const queueLifecycle: Lifecycle<QueueStatus> = {
  name: 'queue entry',
  statuses: queueStatuses,
  initial: ['waiting'],
  transitions: {
    waiting: ['called', 'left', 'no-show'],
    // "called" back to "waiting" is the un-call staff expect after calling the wrong ticket.
    called: ['in-room', 'waiting', 'no-show', 'left'],
    // Back to "waiting" when the patient is sent out to wait again (a lab result, a missing form).
    'in-room': ['done', 'waiting'],
    // Undo for "done" clicked on the wrong row: the patient is still in the room.
    done: ['in-room'],
    // A patient who stepped out and came back, or a no-show taken back, waits again.
    left: ['waiting'],
    'no-show': ['waiting', 'called', 'in-room'],
  },
  presence: ['called', 'in-room', 'done'],
  absence: ['left', 'no-show'],
  undo: [
    ['called', 'waiting'],
    ['no-show', 'waiting'],
    ['left', 'waiting'],
    ['done', 'in-room'],
  ],
  roles: {
    admin: 'any',
    desk: 'any',
    server: 'any',
    integration: 'any',
    // A kiosk only puts a patient in the queue (a check-in or a walk-in); calling is for staff.
    kiosk: [[null, 'waiting']],
    // The waiting-room screen shows; it changes nothing.
    display: [],
  },
};

export const queueStatusEventSchema = statusEventSchema(queueStatuses);

/** Ticket codes are short and human: "A-041"; a device-scoped fallback adds the device tag: "A-7Q3-005". */
export const ticketCodeSchema = z
  .string()
  .regex(/^[A-Z]{1,2}-([0-9A-Z]{3}-)?\d{3,4}$/, 'expected a ticket code like A-041');

export const queueEntryFields = z.object({
  ...replicatedFields,
  siteId: idSchema,
  /** Walk-ins have no appointment. */
  appointmentId: idSchema.nullable(),
  patientId: idSchema,
  queue: queueNameSchema,
  ticketCode: ticketCodeSchema,
  priority: z.enum(queuePriorities),
  /** Derived from statusLog; see lifecycle.ts. */
  status: z.enum(queueStatuses),
  checkedInAt: isoDateTime,
  calledAt: isoDateTime.nullable(),
  roomId: idSchema.nullable(),
  /**
   * Why the ticket was called ahead of patients waiting before it, as the
   * desk gave it; null (or absent, on entries older than the field) for a
   * call in turn. Staff only: kiosk and display projections leave it out.
   */
  callReason: text.trim().min(1).max(200).nullable().optional(),
  statusLog: z.array(queueStatusEventSchema).min(1).max(200),
});
export const queueEntrySchema = queueEntryFields;
export type QueueEntry = z.infer<typeof queueEntrySchema>;
