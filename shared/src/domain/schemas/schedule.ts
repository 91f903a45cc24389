import { z } from 'zod';
import { idSchema } from '../ids.js';
import { localDate, replicatedFields, text, timeOfDay } from './common.js';

const workingHoursSchema = z
  .object({
    /** 0 = Sunday … 6 = Saturday, in the site's time zone. */
    weekday: z.number().int().min(0).max(6),
    start: timeOfDay,
    end: timeOfDay,
  })
  .refine((h) => h.start < h.end, { message: 'start must be before end', path: ['end'] });

const scheduleExceptionSchema = z.object({
  date: localDate,
  /** A block closes time (all day when start/end are null); extra hours open it. */
  kind: z.enum(['block', 'extra']),
  start: timeOfDay.nullable(),
  end: timeOfDay.nullable(),
  reason: text.max(200).nullable(),
});

export const scheduleSchema = z.object({
  ...replicatedFields,
  siteId: idSchema,
  providerId: idSchema,
  slotMinutes: z.number().int().min(5).max(240),
  weeklyHours: z.array(workingHoursSchema).max(50),
  exceptions: z.array(scheduleExceptionSchema).max(500),
});
export type Schedule = z.infer<typeof scheduleSchema>;
