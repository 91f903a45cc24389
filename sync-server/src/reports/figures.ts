import {
  addDays,
  dayRangeUtc,
  freeSlots,
  hlcToIso,
  localDateAt,
  queueLifecycle,
  replayStatusLog,
  slotHoldingStatuses,
  type Appointment,
  type AppointmentStatus,
  type QueueEntry,
  type QueueStatus,
  type Room,
  type Schedule,
  MAX_REPORT_DAYS,
  type ReportDay,
  type ReportSpread,
  type ReportUtilization,
  type SiteReport,
} from '@medisync/shared/domain';

/**
 * The figures a clinic manager reads for a range of site-local days
 * (docs/architecture.md §9.8). Pure: the records in, the figures out, so a test
 * can build a day by hand and check every number.
 *
 * Definitions, each chosen so a person can recount it from the records:
 * - available minutes: a provider's bookable slots of the day (working hours
 *   less blocks), from the same `freeSlots` rule booking uses, counted whole;
 * - booked minutes: the provider's appointments that held their time (booked,
 *   pending, checked in, arrived, seen) or were missed (no-show: the time was
 *   kept for the patient), clipped to the available time;
 * - a room's available minutes: the clinic's open time that day (any provider
 *   working); its used minutes: queue entries in it from "in room" to leaving it;
 * - waits: check-in → called, called → in room, in room → done, and check-in →
 *   in room, per provider and visit type, over queue entries of appointments;
 *   median is the middle value (the mean of the two middle ones for an even
 *   count), p90 the nearest rank (the smallest value with at least 90% at or below it);
 * - no-show rate: no-shows over visits that came due (seen, checked in,
 *   arrived, no-show); late-cancel rate: cancellations made less than 24 hours
 *   before the start over the same visits plus every cancellation.
 */

export interface ReportInput {
  timeZone: string;
  /** First and last site-local dates, inclusive. */
  from: string;
  to: string;
  appointments: readonly Appointment[];
  queueEntries: readonly QueueEntry[];
  schedules: readonly Schedule[];
  rooms: readonly Pick<Room, 'id' | 'name'>[];
}

const MINUTE = 60_000;
const LATE_CANCEL_MS = 24 * 60 * MINUTE;
const DUE: readonly AppointmentStatus[] = ['fulfilled', 'checked-in', 'arrived', 'noshow'];
const USES_TIME: readonly AppointmentStatus[] = [...slotHoldingStatuses, 'noshow'];

interface Span {
  start: number;
  end: number;
}

export function buildReport(input: ReportInput): SiteReport {
  const dates = datesOf(input.from, input.to);
  const inRange = (iso: string | null) => iso !== null && dates.includes(localDateAt(new Date(iso), input.timeZone));
  const appointments = input.appointments.filter((a) => inRange(a.start));
  const entries = input.queueEntries.filter((q) => inRange(q.checkedInAt));

  const perDay = dates.map((date) => {
    const dayAppointments = appointments.filter((a) => localDateAt(new Date(a.start), input.timeZone) === date);
    const dayEntries = entries.filter((q) => localDateAt(new Date(q.checkedInAt), input.timeZone) === date);
    return {
      date,
      appointments: dayAppointments,
      entries: dayEntries,
      providers: providerUse(input.schedules, dayAppointments, date, input.timeZone),
      open: openMinutes(input.schedules, date, input.timeZone),
    };
  });

  const providers = sumUtilization(perDay.flatMap((d) => d.providers));
  const rooms = input.rooms.map((room) =>
    utilization(
      room.id,
      perDay.reduce((sum, d) => sum + d.open, 0),
      entries.reduce((sum, q) => sum + roomMinutes(q, room.id), 0),
    ),
  );
  const stageOf = stagesOf(appointments);
  const groups = new Map<string, { providerId: string; visitType: string; stages: Stage[] }>();
  for (const entry of entries) {
    const stage = stageOf(entry);
    if (stage === null) continue;
    const key = `${stage.providerId}\u0000${stage.visitType}`;
    const group = groups.get(key) ?? { providerId: stage.providerId, visitType: stage.visitType, stages: [] };
    group.stages.push(stage);
    groups.set(key, group);
  }
  const waits = [...groups.values()]
    .sort((a, b) => compare(a.providerId, b.providerId) || compare(a.visitType, b.visitType))
    .map(({ providerId, visitType, stages }) => ({
      providerId,
      visitType,
      checkInToCalled: spread(stages.map((s) => minutesBetween(s.checkedIn, s.called))),
      calledToInRoom: spread(stages.map((s) => minutesBetween(s.called, s.inRoom))),
      inRoomToDone: spread(stages.map((s) => minutesBetween(s.inRoom, s.done))),
      checkInToInRoom: spread(stages.map((s) => minutesBetween(s.checkedIn, s.inRoom))),
    }));

  const attendance = attendanceOf(appointments);
  const checkIns = checkInsOf(appointments, entries);
  const daily = perDay.map((d): ReportDay => {
    const day = attendanceOf(d.appointments);
    const counts = checkInsOf(d.appointments, d.entries);
    const total = sumUtilization(d.providers).reduce(
      (sum, p) => ({ available: sum.available + p.availableMinutes, booked: sum.booked + p.bookedMinutes }),
      { available: 0, booked: 0 },
    );
    const dayStageOf = stagesOf(d.appointments);
    return {
      date: d.date,
      booked: d.appointments.filter((a) => USES_TIME.includes(a.status)).length,
      seen: d.appointments.filter((a) => a.status === 'fulfilled').length,
      noShows: day.noShows,
      lateCancels: day.lateCancels,
      walkIns: counts.walkIns,
      kioskCheckIns: counts.kiosk,
      deskCheckIns: counts.desk,
      medianWaitMinutes: spread(
        d.entries.map((q) => {
          const stage = dayStageOf(q) ?? walkInStage(q);
          return stage === null ? null : minutesBetween(stage.checkedIn, stage.inRoom);
        }),
      ).medianMinutes,
      providerUtilization: total.available === 0 ? 0 : total.booked / total.available,
    };
  });

  return { from: input.from, to: input.to, providers, rooms, waits, attendance, checkIns, daily };
}

/** Each provider's available and booked minutes on one date. */
function providerUse(
  schedules: readonly Schedule[],
  appointments: readonly Appointment[],
  date: string,
  timeZone: string,
): ReportUtilization[] {
  return schedules.map((schedule) => {
    const available = freeSlots(schedule, [], date, timeZone).map(toSpan);
    const booked = appointments
      .filter((a) => a.providerId === schedule.providerId && USES_TIME.includes(a.status))
      .map(toSpan);
    const bookedMs = available.reduce((sum, slot) => sum + overlapMs(slot, union(booked)), 0);
    return utilization(schedule.providerId, minutesOf(available), bookedMs / MINUTE);
  });
}

/** Minutes the clinic is open on a date: when any provider works (overlaps counted once). */
function openMinutes(schedules: readonly Schedule[], date: string, timeZone: string): number {
  return minutesOf(union(schedules.flatMap((s) => freeSlots(s, [], date, timeZone).map(toSpan))));
}

function roomMinutes(entry: QueueEntry, roomId: string): number {
  if (entry.roomId !== roomId) return 0;
  const stage = walkInStage(entry);
  return stage === null ? 0 : (minutesBetween(stage.inRoom, stage.done ?? stage.left) ?? 0);
}

interface Stage {
  providerId: string;
  visitType: string;
  checkedIn: string;
  called: string | null;
  inRoom: string | null;
  done: string | null;
  left: string | null;
}

/** When a queue entry last entered each status, from its replayed log. */
function walkInStage(entry: QueueEntry): Stage | null {
  if (entry.checkedInAt === null) return null;
  const applied = replayStatusLog(queueLifecycle, entry.statusLog).applied;
  const last = (status: QueueStatus) => {
    const event = applied.findLast((e) => e.to === status);
    return event === undefined ? null : hlcToIso(event.hlc);
  };
  return {
    providerId: '',
    visitType: 'walk-in',
    checkedIn: entry.checkedInAt,
    called: last('called'),
    inRoom: last('in-room'),
    done: last('done'),
    left: last('left'),
  };
}

function stagesOf(appointments: readonly Appointment[]) {
  const byId = new Map(appointments.map((a) => [a.id, a]));
  return (entry: QueueEntry): Stage | null => {
    const appointment = entry.appointmentId === null ? undefined : byId.get(entry.appointmentId);
    const stage = walkInStage(entry);
    if (appointment === undefined || stage === null) return null;
    return { ...stage, providerId: appointment.providerId, visitType: appointment.visitType };
  };
}

function attendanceOf(appointments: readonly Appointment[]): SiteReport['attendance'] {
  const due = appointments.filter((a) => DUE.includes(a.status)).length;
  const noShows = appointments.filter((a) => a.status === 'noshow').length;
  const cancelled = appointments.filter((a) => a.status === 'cancelled');
  const lateCancels = cancelled.filter((a) => {
    const event = a.statusLog
      .filter((e) => e.to === 'cancelled')
      .sort((x, y) => compare(x.hlc, y.hlc))
      .at(-1);
    return event !== undefined && Date.parse(a.start) - Date.parse(hlcToIso(event.hlc)) < LATE_CANCEL_MS;
  }).length;
  return {
    due,
    noShows,
    noShowRate: due === 0 ? 0 : noShows / due,
    cancellations: cancelled.length,
    lateCancels,
    lateCancelRate: due + cancelled.length === 0 ? 0 : lateCancels / (due + cancelled.length),
  };
}

function checkInsOf(appointments: readonly Appointment[], entries: readonly QueueEntry[]): SiteReport['checkIns'] {
  const by = (source: Appointment['checkInSource']) =>
    appointments.filter((a) => a.checkedInAt !== null && a.checkInSource === source).length;
  return {
    kiosk: by('kiosk'),
    desk: by('desk'),
    api: by('api'),
    server: by('server'),
    walkIns: entries.filter((q) => q.appointmentId === null).length,
  };
}

/** Sums a provider's days into one line per provider, in the order of first appearance. */
function sumUtilization(rows: readonly ReportUtilization[]): ReportUtilization[] {
  const sums = new Map<string, { available: number; booked: number }>();
  for (const row of rows) {
    const sum = sums.get(row.id) ?? { available: 0, booked: 0 };
    sum.available += row.availableMinutes;
    sum.booked += row.bookedMinutes;
    sums.set(row.id, sum);
  }
  return [...sums].map(([id, sum]) => utilization(id, sum.available, sum.booked));
}

function utilization(id: string, availableMinutes: number, bookedMinutes: number): ReportUtilization {
  return {
    id,
    availableMinutes,
    bookedMinutes,
    utilization: availableMinutes === 0 ? 0 : bookedMinutes / availableMinutes,
  };
}

/** Median and nearest-rank p90 of the values given, ignoring missing ones. */
export function spread(values: readonly (number | null)[]): ReportSpread {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, medianMinutes: null, p90Minutes: null };
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { count: n, medianMinutes: median, p90Minutes: sorted[Math.ceil(0.9 * n) - 1]! };
}

function minutesBetween(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const minutes = (Date.parse(to) - Date.parse(from)) / MINUTE;
  return minutes >= 0 ? minutes : null;
}

function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to && dates.length < MAX_REPORT_DAYS; date = addDays(date, 1)) dates.push(date);
  return dates;
}

function toSpan(time: { start: string; end: string }): Span {
  return { start: Date.parse(time.start), end: Date.parse(time.end) };
}

function union(spans: readonly Span[]): Span[] {
  const joined: Span[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = joined.at(-1);
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else joined.push({ ...span });
  }
  return joined;
}

function overlapMs(slot: Span, spans: readonly Span[]): number {
  return spans.reduce((sum, s) => sum + Math.max(0, Math.min(slot.end, s.end) - Math.max(slot.start, s.start)), 0);
}

function minutesOf(spans: readonly Span[]): number {
  return spans.reduce((sum, s) => sum + (s.end - s.start) / MINUTE, 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The UTC bounds of a range of site-local dates, for the queries that feed a report. */
export function rangeUtc(from: string, to: string, timeZone: string): { start: string; end: string } {
  return { start: dayRangeUtc(from, timeZone).start.toISOString(), end: dayRangeUtc(to, timeZone).end.toISOString() };
}
