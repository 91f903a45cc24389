import { localDate } from './common.js';
import { z } from 'zod';

/**
 * A site report's shape (docs/architecture.md §9.8), once: the server's figures, the REST answer and its
 * OpenAPI document, and what the desk's Reports screen parses all come from here.
 */

const minutes = z.number().min(0);
const rate = z.number().min(0).max(1);

export const reportUtilizationSchema = z
  .object({
    id: z.uuid().describe('The provider or room'),
    availableMinutes: minutes,
    bookedMinutes: minutes,
    utilization: z.number().min(0).describe('bookedMinutes / availableMinutes; 0 when nothing was available'),
  })
  .meta({ id: 'ReportUtilization' });

export const reportSpreadSchema = z
  .object({
    count: z.number().int().min(0),
    medianMinutes: minutes.nullable(),
    p90Minutes: minutes.nullable().describe('Nearest rank: the smallest wait with at least 90% at or below it'),
  })
  .meta({ id: 'ReportSpread' });

export const reportWaitGroupSchema = z
  .object({
    providerId: z.uuid(),
    visitType: z.string(),
    checkInToCalled: reportSpreadSchema,
    calledToInRoom: reportSpreadSchema,
    inRoomToDone: reportSpreadSchema,
    checkInToInRoom: reportSpreadSchema,
  })
  .meta({ id: 'ReportWaits' });

export const reportDaySchema = z
  .object({
    date: localDate,
    booked: z.number().int().min(0),
    seen: z.number().int().min(0),
    noShows: z.number().int().min(0),
    lateCancels: z.number().int().min(0),
    walkIns: z.number().int().min(0),
    kioskCheckIns: z.number().int().min(0),
    deskCheckIns: z.number().int().min(0),
    medianWaitMinutes: minutes.nullable(),
    providerUtilization: z.number().min(0),
  })
  .meta({ id: 'ReportDay' });

export const reportSchema = z
  .object({
    from: localDate,
    to: localDate,
    providers: z.array(reportUtilizationSchema),
    rooms: z.array(reportUtilizationSchema),
    waits: z.array(reportWaitGroupSchema),
    attendance: z.object({
      due: z.number().int().min(0).describe('Visits that came due: seen, checked in, arrived or no-show'),
      noShows: z.number().int().min(0),
      noShowRate: rate,
      cancellations: z.number().int().min(0),
      lateCancels: z.number().int().min(0).describe('Cancelled less than 24 hours before the start'),
      lateCancelRate: rate,
    }),
    checkIns: z.object({
      kiosk: z.number().int().min(0),
      desk: z.number().int().min(0),
      api: z.number().int().min(0),
      server: z.number().int().min(0),
      walkIns: z.number().int().min(0),
    }),
    daily: z.array(reportDaySchema),
  })
  .meta({ id: 'Report' });

export type ReportUtilization = z.infer<typeof reportUtilizationSchema>;
export type ReportSpread = z.infer<typeof reportSpreadSchema>;
export type ReportWaitGroup = z.infer<typeof reportWaitGroupSchema>;
export type ReportDay = z.infer<typeof reportDaySchema>;
export type SiteReport = z.infer<typeof reportSchema>;

/** At most a year of days in one report: the figures are computed from the records on each request. */
export const MAX_REPORT_DAYS = 366;

export const reportQuery = z
  .object({ from: localDate, to: localDate })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, {
    message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    path: ['to'],
  });

/** How good the site's no-show model is on visits it did not learn from (docs/architecture.md §9.8). */
export const noShowModelQualitySchema = z
  .object({
    trainCount: z.number().int().min(0),
    testCount: z.number().int().min(0),
    /** Share of no-shows among the held-out visits. */
    baseRate: rate,
    /** Area under the ROC curve on the held-out visits; a base-rate predictor scores 0.5. */
    auc: z.number().min(0).max(1).nullable(),
    brier: z.number().min(0),
    /** Brier score of always predicting the training base rate. */
    baseBrier: z.number().min(0),
    /** Held-out visits in five bins of equal count by score: mean predicted against observed rate. */
    calibration: z.array(z.object({ predicted: rate, observed: rate, count: z.number().int().min(0) })),
  })
  .meta({ id: 'NoShowModelQuality' });

/** What staff see of the model: when it was trained, how good it is, what weighs most. */
export const noShowModelSummarySchema = z
  .object({
    trainedAt: z.iso.datetime(),
    quality: noShowModelQualitySchema,
    /** The features by the size of their weight (on scaled features), largest first. */
    weights: z.array(z.object({ name: z.string(), weight: z.number() })),
  })
  .meta({ id: 'NoShowModelSummary' });
export type NoShowModelSummary = z.infer<typeof noShowModelSummarySchema>;
