import {
  hlcToIso,
  localDateAt,
  localTimeAt,
  weekdayOf,
  type Appointment,
  type AppointmentStatus,
  noShowModelQualitySchema,
  type NoShowModelSummary,
  type NoShowRiskBand,
} from '@medisync/shared/domain';
import { z } from 'zod';

/**
 * The no-show model (docs/architecture.md §9.8): a logistic regression over
 * what is known of a visit when it is booked and reminded, trained on the
 * site's own history. Small on purpose: a clinic's history is a few thousand
 * visits, the features are few, and a manager can read the weights.
 *
 * Pure: records in, a model or scores out. The job (job.ts) stores models and
 * writes scores; the tests train on the demo clinic's history.
 */

const DAY_MS = 86_400_000;

/** Outcomes the model learns from: the patient came, or did not. Cancelled visits teach it nothing. */
const CAME: readonly AppointmentStatus[] = ['fulfilled', 'checked-in', 'arrived'];

/** What the features need of an appointment. */
export type ScoredVisit = Pick<
  Appointment,
  'id' | 'patientId' | 'start' | 'visitType' | 'status' | 'statusLog' | 'reminderConfirmedAt'
>;

/** The patient's visits that had come due before this one started: how often they did not come. */
export interface History {
  priorNoShows: number;
  priorDue: number;
}

const numericFeatures = ['leadDays', 'priorNoShowRate', 'priorNoShows'] as const;
const WEEKDAYS = [1, 2, 3, 4, 5] as const;
const HOURS = ['early', 'morning', 'afternoon', 'late'] as const;

export const noShowModelSchema = z.object({
  trainedAt: z.iso.datetime(),
  timeZone: z.string(),
  visitTypes: z.array(z.string()),
  names: z.array(z.string()),
  means: z.array(z.number()),
  scales: z.array(z.number()),
  weights: z.array(z.number()),
  quality: noShowModelQualitySchema,
});
export type NoShowModel = z.infer<typeof noShowModelSchema>;

/** Staff read a band, not a number: its thresholds sit around a typical clinic's no-show rate. */
export function bandOf(probability: number): NoShowRiskBand {
  return probability >= 0.3 ? 'high' : probability >= 0.15 ? 'medium' : 'low';
}

/** When the visit was booked: its first status event. */
function bookedAt(visit: ScoredVisit): number {
  const first = [...visit.statusLog].sort((a, b) => (a.hlc < b.hlc ? -1 : 1))[0];
  return first === undefined ? Date.parse(visit.start) : Date.parse(hlcToIso(first.hlc));
}

function hourBucket(time: string): (typeof HOURS)[number] {
  const hour = Number(time.slice(0, 2)) + Number(time.slice(3, 5)) / 60;
  return hour < 9.5 ? 'early' : hour < 12 ? 'morning' : hour < 15 ? 'afternoon' : 'late';
}

/** The named features of a visit before scaling; one-hot groups are 0 or 1. */
function rawFeatures(visit: ScoredVisit, history: History, timeZone: string, visitTypes: readonly string[]) {
  const start = new Date(visit.start);
  const weekday = weekdayOf(localDateAt(start, timeZone));
  const hour = hourBucket(localTimeAt(start, timeZone));
  const confirmed = visit.reminderConfirmedAt != null && visit.reminderConfirmedAt < visit.start;
  return [
    Math.log1p(Math.max(0, (start.getTime() - bookedAt(visit)) / DAY_MS)),
    (history.priorNoShows + 0.1) / (history.priorDue + 1),
    Math.min(history.priorNoShows, 3),
    ...WEEKDAYS.map((d) => (weekday === d ? 1 : 0)),
    ...HOURS.map((h) => (hour === h ? 1 : 0)),
    ...visitTypes.map((t) => (visit.visitType === t ? 1 : 0)),
    confirmed ? 1 : 0,
  ];
}

function featureNames(visitTypes: readonly string[]): string[] {
  return [
    ...numericFeatures,
    ...WEEKDAYS.map((d) => `weekday:${d}`),
    ...HOURS.map((h) => `hour:${h}`),
    ...visitTypes.map((t) => `visit:${t}`),
    'reminderConfirmed',
  ];
}

/**
 * Every visit's history: the patient's no-shows and visits that came due
 * strictly before it started. `visits` may be in any order.
 */
export function historiesOf(visits: readonly ScoredVisit[]): Map<string, History> {
  const byPatient = new Map<string, ScoredVisit[]>();
  for (const visit of visits) byPatient.set(visit.patientId, [...(byPatient.get(visit.patientId) ?? []), visit]);
  const out = new Map<string, History>();
  for (const own of byPatient.values()) {
    const sorted = [...own].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let priorNoShows = 0;
    let priorDue = 0;
    for (let i = 0; i < sorted.length;) {
      // Visits starting at the same instant do not see each other.
      let j = i;
      while (j < sorted.length && sorted[j]!.start === sorted[i]!.start) j++;
      for (let k = i; k < j; k++) out.set(sorted[k]!.id, { priorNoShows, priorDue });
      for (let k = i; k < j; k++) {
        if (sorted[k]!.status === 'noshow') priorNoShows++;
        if (sorted[k]!.status === 'noshow' || CAME.includes(sorted[k]!.status)) priorDue++;
      }
      i = j;
    }
  }
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

interface Sample {
  x: number[];
  y: 0 | 1;
}

/** Batch gradient descent with a little L2, on features scaled by the training set: deterministic. */
function fit(samples: readonly Sample[], iterations = 600, rate = 0.5, l2 = 0.01): number[] {
  const n = samples[0]?.x.length ?? 0;
  const w = new Array<number>(n + 1).fill(0);
  const positives = samples.filter((s) => s.y === 1).length;
  // Start at the base rate: the intercept alone is the base-rate predictor.
  w[0] = Math.log((positives + 0.5) / (samples.length - positives + 0.5));
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(n + 1).fill(0);
    for (const { x, y } of samples) {
      const err = sigmoid(w[0]! + x.reduce((sum, v, i) => sum + v * w[i + 1]!, 0)) - y;
      grad[0]! += err;
      for (let i = 0; i < n; i++) grad[i + 1]! += err * x[i]!;
    }
    for (let i = 0; i <= n; i++) w[i]! -= rate * (grad[i]! / samples.length + (i === 0 ? 0 : l2 * w[i]!));
  }
  return w;
}

/** Area under the ROC curve by ranks (ties share their rank); null without both outcomes. */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number | null {
  const order = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  const positives = order.filter((o) => o.y === 1).length;
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (order[k]!.y === 1) rankSum += rank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Predicted against observed no-show rate in five bins of equal count, lowest scores first. */
function calibration(scores: readonly number[], labels: readonly (0 | 1)[]) {
  const order = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  const bins = Math.min(5, order.length);
  return Array.from({ length: bins }, (_, b) => {
    const bin = order.slice(Math.floor((b * order.length) / bins), Math.floor(((b + 1) * order.length) / bins));
    return {
      predicted: bin.reduce((sum, o) => sum + o.s, 0) / bin.length,
      observed: bin.reduce((sum, o) => sum + o.y, 0) / bin.length,
      count: bin.length,
    };
  });
}

/**
 * Trains on the older three quarters of the visits that came due (by start)
 * and reports its quality on the newest quarter, held out: the way it will be
 * used, on visits after the ones it learnt from. Null with too little history.
 */
export function trainNoShowModel(
  visits: readonly ScoredVisit[],
  timeZone: string,
  now: Date,
  options: { minimum?: number } = {},
): NoShowModel | null {
  const histories = historiesOf(visits);
  const due = visits
    .filter((v) => (v.status === 'noshow' || CAME.includes(v.status)) && v.start < now.toISOString())
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));
  if (due.length < (options.minimum ?? 100)) return null;
  const cut = Math.floor(due.length * 0.75);
  const train = due.slice(0, cut);
  const test = due.slice(cut);
  const visitTypes = [...new Set(train.map((v) => v.visitType))].sort();
  const raw = (v: ScoredVisit) => rawFeatures(v, histories.get(v.id)!, timeZone, visitTypes);
  const label = (v: ScoredVisit): 0 | 1 => (v.status === 'noshow' ? 1 : 0);
  const trainRaw = train.map(raw);
  const width = trainRaw[0]!.length;
  // Only the numeric features are scaled; one-hot columns stay 0/1.
  const means = Array.from({ length: width }, (_, i) =>
    i < numericFeatures.length ? trainRaw.reduce((sum, x) => sum + x[i]!, 0) / trainRaw.length : 0,
  );
  const scales = Array.from({ length: width }, (_, i) => {
    if (i >= numericFeatures.length) return 1;
    const variance = trainRaw.reduce((sum, x) => sum + (x[i]! - means[i]!) ** 2, 0) / trainRaw.length;
    return Math.sqrt(variance) || 1;
  });
  const scale = (x: number[]) => x.map((v, i) => (v - means[i]!) / scales[i]!);
  const weights = fit(train.map((v, i) => ({ x: scale(trainRaw[i]!), y: label(v) })));
  const model: NoShowModel = {
    trainedAt: now.toISOString(),
    timeZone,
    visitTypes,
    names: ['intercept', ...featureNames(visitTypes)],
    means,
    scales,
    weights,
    quality: { trainCount: 0, testCount: 0, baseRate: 0, auc: null, brier: 0, baseBrier: 0, calibration: [] },
  };
  const scores = test.map((v) => predictNoShow(model, v, histories.get(v.id)!));
  const labels = test.map(label);
  const trainRate = train.filter((v) => label(v) === 1).length / train.length;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  model.quality = {
    trainCount: train.length,
    testCount: test.length,
    baseRate: mean(labels),
    auc: auc(scores, labels),
    brier: mean(scores.map((s, i) => (s - labels[i]!) ** 2)),
    baseBrier: mean(labels.map((y) => (trainRate - y) ** 2)),
    calibration: calibration(scores, labels),
  };
  return model;
}

/** The chance the patient will not come to `visit`, given the patient's history before it. */
export function predictNoShow(model: NoShowModel, visit: ScoredVisit, history: History): number {
  const x = rawFeatures(visit, history, model.timeZone, model.visitTypes).map(
    (v, i) => (v - model.means[i]!) / model.scales[i]!,
  );
  return sigmoid(model.weights[0]! + x.reduce((sum, v, i) => sum + v * model.weights[i + 1]!, 0));
}

/** What staff see of a model: its quality and its weights, largest first. */
export function summaryOf(model: NoShowModel): NoShowModelSummary {
  return {
    trainedAt: model.trainedAt,
    quality: model.quality,
    weights: model.names
      .map((name, i) => ({ name, weight: Math.round(model.weights[i]! * 1000) / 1000 }))
      .filter((w) => w.name !== 'intercept')
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
  };
}
