import type { SiteReport } from '@medisync/shared/domain';

/** Names for the ids a report carries; an id nobody can name is written as it is. */
export interface ReportNames {
  provider: (id: string) => string;
  room: (id: string) => string;
  visitType: (code: string) => string;
}

/**
 * The report as one CSV file of labelled sections (daily figures, utilization,
 * waits, attendance, check-ins), the way a spreadsheet opens it: RFC 4180
 * quoting, CRLF line ends, rates as fractions.
 */
export function reportCsv(report: SiteReport, names: ReportNames): string {
  const rows: (string | number | null)[][] = [
    ['MediSync report', report.from, report.to],
    [],
    ['Daily figures'],
    [
      'date',
      'booked',
      'seen',
      'no-shows',
      'late cancellations',
      'walk-ins',
      'kiosk check-ins',
      'desk check-ins',
      'median wait check-in to room (min)',
      'provider utilization',
    ],
    ...report.daily.map((d) => [
      d.date,
      d.booked,
      d.seen,
      d.noShows,
      d.lateCancels,
      d.walkIns,
      d.kioskCheckIns,
      d.deskCheckIns,
      d.medianWaitMinutes,
      round(d.providerUtilization),
    ]),
    [],
    ['Utilization'],
    ['kind', 'name', 'available minutes', 'booked minutes', 'utilization'],
    ...report.providers.map((u) => [
      'provider',
      names.provider(u.id),
      u.availableMinutes,
      u.bookedMinutes,
      round(u.utilization),
    ]),
    ...report.rooms.map((u) => ['room', names.room(u.id), u.availableMinutes, u.bookedMinutes, round(u.utilization)]),
    [],
    ['Waits (minutes)'],
    [
      'provider',
      'visit type',
      'visits',
      'check-in to called median',
      'check-in to called p90',
      'called to in room median',
      'called to in room p90',
      'in room to done median',
      'in room to done p90',
      'check-in to in room median',
      'check-in to in room p90',
    ],
    ...report.waits.map((w) => [
      names.provider(w.providerId),
      names.visitType(w.visitType),
      w.checkInToInRoom.count,
      w.checkInToCalled.medianMinutes,
      w.checkInToCalled.p90Minutes,
      w.calledToInRoom.medianMinutes,
      w.calledToInRoom.p90Minutes,
      w.inRoomToDone.medianMinutes,
      w.inRoomToDone.p90Minutes,
      w.checkInToInRoom.medianMinutes,
      w.checkInToInRoom.p90Minutes,
    ]),
    [],
    ['Attendance'],
    [
      'visits attended or missed',
      'no-shows',
      'no-show rate',
      'cancellations',
      'late cancellations',
      'late-cancel rate',
    ],
    [
      report.attendance.due,
      report.attendance.noShows,
      round(report.attendance.noShowRate),
      report.attendance.cancellations,
      report.attendance.lateCancels,
      round(report.attendance.lateCancelRate),
    ],
    [],
    ['Check-ins'],
    ['kiosk', 'desk', 'other systems', 'server', 'walk-ins'],
    [report.checkIns.kiosk, report.checkIns.desk, report.checkIns.api, report.checkIns.server, report.checkIns.walkIns],
  ];
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  // A name starting = + - @ gets a leading apostrophe, so a spreadsheet shows it rather than runs it as a formula.
  const text = typeof value === 'string' && /^[=+\-@]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
