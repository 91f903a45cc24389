import { addDays, type Provider, type Room, type SiteReport } from '@medisync/shared/domain';
import { useEffect, useMemo, useState } from 'react';
import type { RxDocument } from 'rxdb';
import { useSearchParams } from 'react-router';
import { visitTypeLabel } from '../labels.js';
import { useLiveQuery } from '../use-query.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { Chart, tokenColours, type ChartOption } from './Chart.js';
import { NoShowModelSection } from './NoShowModelSection.js';
import { reportCsv, type ReportNames } from './report-csv.js';
import { fetchReport } from './reports-api.js';
import './reports.css';

/** The ranges a manager asks for most, ending today. */
const PRESETS = [
  { id: 'day', label: 'Today', days: 1 },
  { id: 'week', label: 'Last 7 days', days: 7 },
  { id: 'month', label: 'Last 30 days', days: 30 },
] as const;

type Loaded = { kind: 'loading' } | { kind: 'ready'; report: SiteReport } | { kind: 'failed'; message: string };

/**
 * Reports for admins (docs/architecture.md §9.8): how full each provider's and
 * room's time was, how long patients waited, who did not come, how they
 * checked in, day by day, for a range kept in the URL. The server computes the
 * figures; each chart has its table beside it, and the whole report exports as CSV.
 */
export function ReportsScreen({ workspace }: { workspace: Workspace }) {
  const { session, db } = workspace;
  const today = useSiteToday(session.site.timezone).date;
  const [params, setParams] = useSearchParams();
  const to = validDate(params.get('to')) ?? today;
  const from = validDate(params.get('from')) ?? addDays(to, -6);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    let current = true;
    setLoaded({ kind: 'loading' });
    fetchReport(workspace, from, to).then(
      (report) => current && setLoaded({ kind: 'ready', report }),
      (error: unknown) =>
        current && setLoaded({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [workspace, from, to]);

  const providerDocs = useLiveQuery(() => db.rx.providers.find({ limit: 200 }), [db], [] as RxDocument<Provider>[]);
  const roomDocs = useLiveQuery(
    () => db.rx.rooms.find({ selector: { siteId: session.site.id }, limit: 200 }),
    [db, session.site.id],
    [] as RxDocument<Room>[],
  );
  const names = useMemo((): ReportNames => {
    const providers = new Map(providerDocs.map((d) => [d.id, d.displayName]));
    const rooms = new Map(roomDocs.map((d) => [d.id, d.name]));
    return {
      provider: (id) => providers.get(id) ?? 'Unknown provider',
      room: (id) => rooms.get(id) ?? 'Unknown room',
      visitType: visitTypeLabel,
    };
  }, [providerDocs, roomDocs]);

  const setRange = (next: { from: string; to: string }) => {
    const ordered = next.from <= next.to ? next : { from: next.to, to: next.from };
    setParams((current) => {
      const updated = new URLSearchParams(current);
      updated.set('from', ordered.from);
      updated.set('to', ordered.to);
      return updated;
    });
  };

  const report = loaded.kind === 'ready' ? loaded.report : null;
  return (
    <section className="reports" aria-labelledby="reports-title" aria-busy={loaded.kind === 'loading'}>
      <header className="reports__header">
        <h1 id="reports-title">Reports</h1>
        <div className="reports__range" role="group" aria-label="Range">
          {PRESETS.map((preset) => {
            const presetFrom = addDays(today, 1 - preset.days);
            const pressed = from === presetFrom && to === today;
            return (
              <button
                key={preset.id}
                type="button"
                className={`button${pressed ? ' button--primary' : ''}`}
                aria-pressed={pressed}
                onClick={() => setRange({ from: presetFrom, to: today })}
              >
                {preset.label}
              </button>
            );
          })}
          <label className="reports__date">
            From
            <input
              type="date"
              value={from}
              max={to}
              onChange={(e) => validDate(e.target.value) && setRange({ from: e.target.value, to })}
            />
          </label>
          <label className="reports__date">
            To
            <input
              type="date"
              value={to}
              min={from}
              onChange={(e) => validDate(e.target.value) && setRange({ from, to: e.target.value })}
            />
          </label>
          <button
            type="button"
            className="button"
            disabled={report === null}
            onClick={() => report && downloadCsv(reportCsv(report, names), `medisync-report-${from}-to-${to}.csv`)}
          >
            Export CSV
          </button>
        </div>
      </header>
      {loaded.kind === 'loading' && <p role="status">Computing the figures…</p>}
      {loaded.kind === 'failed' && (
        <p role="alert" className="reports__failed">
          The report could not be fetched: {loaded.message}. Reports need the server; check the connection and try
          again.
        </p>
      )}
      {report && <ReportBody report={report} names={names} />}
      <NoShowModelSection workspace={workspace} />
    </section>
  );
}

function ReportBody({ report, names }: { report: SiteReport; names: ReportNames }) {
  const { attendance, checkIns } = report;
  const medianWaits = report.daily.flatMap((d) => (d.medianWaitMinutes === null ? [] : [d.medianWaitMinutes]));
  const cards = [
    // The visits the rates below are of: those whose time came, not those still ahead.
    {
      id: 'due',
      label: 'Visits attended or missed',
      value: String(attendance.due),
      detail: 'seen, checked in or no-show',
    },
    {
      id: 'no-show-rate',
      label: 'No-show rate',
      value: percent(attendance.noShowRate),
      detail: `${attendance.noShows} no-shows`,
    },
    {
      id: 'late-cancel-rate',
      label: 'Late cancellations',
      value: percent(attendance.lateCancelRate),
      detail: `${attendance.lateCancels} of ${attendance.cancellations} cancellations under 24 h`,
    },
    { id: 'walk-ins', label: 'Walk-ins', value: String(checkIns.walkIns) },
    {
      id: 'kiosk-share',
      label: 'Checked in at the kiosk',
      value: percent(share(checkIns.kiosk, checkIns.kiosk + checkIns.desk + checkIns.api + checkIns.server)),
      detail: `${checkIns.kiosk} kiosk, ${checkIns.desk} desk`,
    },
    {
      id: 'median-wait',
      label: 'Typical wait to room',
      value: medianWaits.length === 0 ? '—' : `${Math.round(median(medianWaits))} min`,
      detail: 'median of the daily medians',
    },
  ];
  const utilization = [
    ...report.providers.map((u) => ({ ...u, name: names.provider(u.id), kind: 'Provider' })),
    ...report.rooms.map((u) => ({ ...u, name: names.room(u.id), kind: 'Room' })),
  ];
  return (
    <>
      <ul className="metrics" aria-label="The range in numbers">
        {cards.map((card) => (
          <li key={card.id} className="metric" data-testid={`report-${card.id}`}>
            <span className="metric__label">{card.label}</span>
            <span className="metric__value">{card.value}</span>
            {card.detail && <span className="metric__detail">{card.detail}</span>}
          </li>
        ))}
      </ul>

      <section className="reports__section" aria-labelledby="reports-daily">
        <h2 id="reports-daily">Day by day</h2>
        <Chart label="Booked, seen and no-show visits per day" option={dailyChart(report)} />
        <table className="reports__table" data-testid="report-daily">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Booked</th>
              <th scope="col">Seen</th>
              <th scope="col">No-shows</th>
              <th scope="col">Late cancellations</th>
              <th scope="col">Walk-ins</th>
              <th scope="col">Kiosk</th>
              <th scope="col">Desk</th>
              <th scope="col">Median wait to room</th>
              <th scope="col">Provider time booked</th>
            </tr>
          </thead>
          <tbody>
            {report.daily.map((d) => (
              <tr key={d.date}>
                <th scope="row">{d.date}</th>
                <td>{d.booked}</td>
                <td>{d.seen}</td>
                <td>{d.noShows}</td>
                <td>{d.lateCancels}</td>
                <td>{d.walkIns}</td>
                <td>{d.kioskCheckIns}</td>
                <td>{d.deskCheckIns}</td>
                <td>{d.medianWaitMinutes === null ? '—' : `${round1(d.medianWaitMinutes)} min`}</td>
                <td>{percent(d.providerUtilization)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="reports__section" aria-labelledby="reports-utilization">
        <h2 id="reports-utilization">Utilization: booked of available time</h2>
        <Chart
          label="Utilization of each provider and room"
          option={utilizationChart(utilization)}
          height={Math.max(160, utilization.length * 30 + 60)}
        />
        <table className="reports__table" data-testid="report-utilization">
          <thead>
            <tr>
              <th scope="col">Provider or room</th>
              <th scope="col">Available</th>
              <th scope="col">Booked</th>
              <th scope="col">Utilization</th>
            </tr>
          </thead>
          <tbody>
            {utilization.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  {u.name} <span className="reports__kind">{u.kind}</span>
                </th>
                <td>{Math.round(u.availableMinutes)} min</td>
                <td>{Math.round(u.bookedMinutes)} min</td>
                <td>{percent(u.utilization)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="reports__section" aria-labelledby="reports-waits">
        <h2 id="reports-waits">Waits from check-in to done, per provider and visit type</h2>
        <Chart
          label="Median minutes in each step, per provider and visit type"
          option={waitsChart(report, names)}
          height={Math.max(180, report.waits.length * 28 + 80)}
        />
        <table className="reports__table" data-testid="report-waits">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Visit type</th>
              <th scope="col">Visits</th>
              <th scope="col">Check-in → called</th>
              <th scope="col">Called → in room</th>
              <th scope="col">In room → done</th>
              <th scope="col">Check-in → in room</th>
            </tr>
          </thead>
          <tbody>
            {report.waits.map((w) => (
              <tr key={`${w.providerId}-${w.visitType}`}>
                <th scope="row">{names.provider(w.providerId)}</th>
                <td>{names.visitType(w.visitType)}</td>
                <td>{w.checkInToInRoom.count}</td>
                <td>{spreadText(w.checkInToCalled)}</td>
                <td>{spreadText(w.calledToInRoom)}</td>
                <td>{spreadText(w.inRoomToDone)}</td>
                <td>{spreadText(w.checkInToInRoom)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="reports__note">Median / 90th percentile, in minutes.</p>
      </section>

      <section className="reports__section" aria-labelledby="reports-check-ins">
        <h2 id="reports-check-ins">How patients checked in</h2>
        <Chart
          label="Check-ins at the kiosk, at the desk, by other systems, and walk-ins"
          option={checkInChart(report)}
        />
      </section>
    </>
  );
}

const palette = () => tokenColours('--accent', '--ok', '--alert', '--warn', '--muted');

function dailyChart(report: SiteReport): ChartOption {
  return {
    color: palette(),
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: report.daily.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'Booked', type: 'line', data: report.daily.map((d) => d.booked) },
      { name: 'Seen', type: 'line', data: report.daily.map((d) => d.seen) },
      { name: 'No-shows', type: 'bar', data: report.daily.map((d) => d.noShows) },
    ],
  };
}

function utilizationChart(rows: { name: string; utilization: number }[]): ChartOption {
  return {
    color: palette(),
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${v}%` },
    grid: { left: 140, right: 24, top: 8, bottom: 24 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name) },
    series: [{ type: 'bar', name: 'Booked', data: rows.map((r) => Math.round(r.utilization * 1000) / 10) }],
  };
}

function waitsChart(report: SiteReport, names: ReportNames): ChartOption {
  const label = (w: SiteReport['waits'][number]) => `${names.provider(w.providerId)}: ${names.visitType(w.visitType)}`;
  const step = (pick: (w: SiteReport['waits'][number]) => number | null) => report.waits.map((w) => pick(w) ?? 0);
  return {
    color: palette(),
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 220, right: 24, top: 8, bottom: 48 },
    xAxis: { type: 'value', name: 'min' },
    yAxis: { type: 'category', inverse: true, data: report.waits.map(label) },
    series: [
      { name: 'Waiting to be called', type: 'bar', stack: 'visit', data: step((w) => w.checkInToCalled.medianMinutes) },
      { name: 'Called to in room', type: 'bar', stack: 'visit', data: step((w) => w.calledToInRoom.medianMinutes) },
      { name: 'In room', type: 'bar', stack: 'visit', data: step((w) => w.inRoomToDone.medianMinutes) },
    ],
  };
}

function checkInChart(report: SiteReport): ChartOption {
  const { kiosk, desk, api, server, walkIns } = report.checkIns;
  return {
    color: palette(),
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '70%'],
        data: [
          { name: 'Kiosk', value: kiosk },
          { name: 'Desk', value: desk },
          { name: 'Walk-ins', value: walkIns },
          { name: 'Other systems', value: api + server },
        ].filter((slice) => slice.value > 0),
      },
    ],
  };
}

function downloadCsv(csv: string, filename: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // The browser has taken the file once the click returns; the URL only keeps memory.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function validDate(value: string | null): string | null {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function spreadText(spread: SiteReport['waits'][number]['checkInToCalled']): string {
  return spread.medianMinutes === null ? '—' : `${round1(spread.medianMinutes)} / ${round1(spread.p90Minutes!)}`;
}
