import type { NoShowModelSummary } from '@medisync/shared/domain';
import { useEffect, useState } from 'react';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { visitTypeLabel } from '../labels.js';
import type { Workspace } from '../workspace.js';
import { Chart, tokenColours, type ChartOption } from './Chart.js';
import { fetchNoShowModel } from './reports-api.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const HOURS: Record<string, string> = {
  early: 'Starts before 9:30',
  morning: 'Starts 9:30 to noon',
  afternoon: 'Starts noon to 3 pm',
  late: 'Starts 3 pm or later',
};
const SHOWN_WEIGHTS = 8;

/** A model feature in words a manager reads. */
export function featureLabel(name: string): string {
  const [kind, value = ''] = name.split(':');
  if (kind === 'weekday') return WEEKDAYS[Number(value)] ?? name;
  if (kind === 'hour') return HOURS[value] ?? name;
  if (kind === 'visit') return visitTypeLabel(value);
  return (
    {
      leadDays: 'Booked further ahead',
      priorNoShowRate: "Patient's past no-show rate",
      priorNoShows: 'Past no-shows',
      reminderConfirmed: 'Confirmed the reminder',
    }[name] ?? name
  );
}

/**
 * How far the no-show scores on Today can be trusted (docs/architecture.md
 * §9.8): ranking (AUC) and calibration on visits the model did not learn
 * from, and what weighs most. For staff; patients never see a score.
 */
export function NoShowModelSection({ workspace }: { workspace: Workspace }) {
  const [model, setModel] = useState<NoShowModelSummary | null | 'loading' | Error>('loading');
  useEffect(() => {
    let current = true;
    fetchNoShowModel(workspace).then(
      (answer) => current && setModel(answer),
      (error: unknown) => current && setModel(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      current = false;
    };
  }, [workspace]);

  const timeZone = workspace.session.site.timezone;
  return (
    <section className="reports__section" aria-labelledby="reports-model" data-testid="report-model">
      <h2 id="reports-model">No-show predictions</h2>
      {model === 'loading' && <p role="status">Reading the model…</p>}
      {model instanceof Error && <p role="alert">The model could not be read: {model.message}.</p>}
      {model === null && (
        <p className="empty">
          Not trained yet: the model needs at least a hundred past visits and trains every six hours.
        </p>
      )}
      {model !== null && model !== 'loading' && !(model instanceof Error) && (
        <>
          <p className="reports__note">
            Trained {formatDay(new Date(model.trainedAt), timeZone)} {formatTimeOfDay(model.trainedAt, timeZone)} on{' '}
            {model.quality.trainCount} past visits; checked on the {model.quality.testCount} most recent, which it did
            not learn from.
          </p>
          <ul className="metrics" aria-label="Model quality">
            <li className="metric" data-testid="model-auc">
              <span className="metric__label">Ranking (AUC)</span>
              <span className="metric__value">{model.quality.auc === null ? '—' : model.quality.auc.toFixed(2)}</span>
              <span className="metric__detail">0.5 is guessing, 1 is perfect</span>
            </li>
            <li className="metric">
              <span className="metric__label">No-shows among them</span>
              <span className="metric__value">{Math.round(model.quality.baseRate * 1000) / 10}%</span>
            </li>
            <li className="metric">
              <span className="metric__label">Error (Brier)</span>
              <span className="metric__value">{model.quality.brier.toFixed(3)}</span>
              <span className="metric__detail">base rate alone: {model.quality.baseBrier.toFixed(3)}</span>
            </li>
          </ul>
          <Chart
            label="Calibration: predicted against observed no-show rate, in five groups of visits by score"
            option={calibrationChart(model)}
          />
          <table className="reports__table" data-testid="model-weights">
            <caption className="reports__note">What weighs most (positive: likelier to miss)</caption>
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col">Weight</th>
              </tr>
            </thead>
            <tbody>
              {model.weights.slice(0, SHOWN_WEIGHTS).map((w) => (
                <tr key={w.name}>
                  <th scope="row">{featureLabel(w.name)}</th>
                  <td>{w.weight > 0 ? `+${w.weight.toFixed(2)}` : w.weight.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function calibrationChart(model: NoShowModelSummary): ChartOption {
  const percent = (v: number) => Math.round(v * 1000) / 10;
  return {
    color: tokenColours('--accent', '--alert'),
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${v}%` },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 48 },
    xAxis: {
      type: 'category',
      data: model.quality.calibration.map((bin, i) => `Group ${i + 1} (${bin.count})`),
    },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [
      { name: 'Predicted', type: 'bar', data: model.quality.calibration.map((b) => percent(b.predicted)) },
      { name: 'Observed', type: 'bar', data: model.quality.calibration.map((b) => percent(b.observed)) },
    ],
  };
}
