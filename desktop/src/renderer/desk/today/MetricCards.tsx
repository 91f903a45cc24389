import { minutesLabel } from '../labels.js';
import { LONG_WAIT_MINUTES, type DayKind, type DayMetrics } from './today-model.js';

/** The day at a glance: booked, arrived, waiting now (and the longest wait), in room, done, no-shows. */
export function MetricCards({ metrics, kind }: { metrics: DayMetrics; kind: DayKind }) {
  const longWait = metrics.longestWait !== null && metrics.longestWait >= LONG_WAIT_MINUTES;
  const cards = [
    { id: 'booked', label: 'Booked', value: metrics.booked },
    { id: 'arrived', label: 'Arrived', value: metrics.arrived },
    ...(kind === 'today'
      ? [
          {
            id: 'waiting',
            label: 'Waiting now',
            value: metrics.waiting,
            detail: metrics.longestWait === null ? 'Nobody waiting' : `Longest ${minutesLabel(metrics.longestWait)}`,
            alert: longWait,
          },
          { id: 'in-room', label: 'In room', value: metrics.inRoom },
        ]
      : []),
    { id: 'done', label: 'Done', value: metrics.done },
    { id: 'no-shows', label: 'No-shows', value: metrics.noShows },
  ];
  return (
    <ul className="metrics" aria-label="The day in numbers">
      {cards.map((card) => (
        <li
          key={card.id}
          className={`metric${'alert' in card && card.alert ? ' metric--alert' : ''}`}
          data-testid={`metric-${card.id}`}
        >
          <span className="metric__label">{card.label}</span>
          <span className="metric__value">{card.value}</span>
          {'detail' in card && (
            <span className="metric__detail">
              {'alert' in card && card.alert && <span aria-hidden="true">⚠ </span>}
              {card.detail}
              {'alert' in card && card.alert && ' (long wait)'}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
