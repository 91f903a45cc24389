import { queueActionsFor, undoStatus, type QueueAction } from '@medisync/shared/domain';
import { memo, type KeyboardEvent } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { formatTimeOfDay } from '../../shell/time.js';
import { minutesLabel, queuePriorityLabel, visitTypeLabel } from '../labels.js';
import { patientListName } from '../names.js';
import type { BoardEntry } from './use-queue-board.js';

export type CardAction = Exclude<QueueAction, never>;

/** A wait longer than this stands out, by a word as well as a colour. */
export const LONG_WAIT_MINUTES = 30;

/** The single keys a focused card answers to; listed in the help overlay. */
export const CARD_KEYS: Record<CardAction, string> = {
  call: 'C',
  'send-in': 'I',
  done: 'D',
  recall: 'R',
  'change-room': 'M',
  requeue: 'Q',
  'no-show': 'N',
  undo: 'U',
};

const LABELS: Record<CardAction, string> = {
  call: 'Call…',
  'send-in': 'In room',
  done: 'Done',
  recall: 'Recall',
  'change-room': 'Change room…',
  requeue: 'Back to waiting',
  'no-show': 'No-show…',
  undo: 'Undo',
};

/** The one action a card shows as a button; the rest are in its menu. */
const PRIMARY: Record<string, CardAction> = {
  waiting: 'call',
  called: 'send-in',
  'in-room': 'done',
  done: 'undo',
  'no-show': 'undo',
  left: 'undo',
};

/** Memoised: the board redraws with every change of the day's queue, a card only when what it shows changes. */
export const QueueCard = memo(function QueueCard({
  item,
  column,
  now,
  position,
  roomName,
  timeZone,
  onAction,
}: {
  item: BoardEntry;
  column: string;
  now: number;
  position?: number;
  roomName?: string;
  timeZone: string;
  onAction: (item: BoardEntry, action: CardAction) => void;
}) {
  const { entry, patient, appointment, provider } = item;
  const offered = queueActionsFor(entry.status).filter((action) => action !== 'undo' || undoStatus(entry) !== null);
  const primary = PRIMARY[entry.status];
  const others = offered.filter((action) => action !== primary);
  const name = patientListName(patient);
  const minutesSince = (iso: string) => (now - Date.parse(iso)) / 60_000;
  const waited = minutesSince(entry.checkedInAt);
  const longWait = entry.status === 'waiting' && waited >= LONG_WAIT_MINUTES;
  const visit = appointment ? visitTypeLabel(appointment.visitType) : 'Walk-in';

  let state: string;
  switch (entry.status) {
    case 'waiting':
      state = `Waiting ${minutesLabel(waited)}`;
      break;
    case 'called':
      state = `Called to ${roomName} ${minutesLabel(minutesSince(item.since))} ago`;
      break;
    case 'in-room':
      state = `In ${roomName} for ${minutesLabel(minutesSince(item.since))}`;
      break;
    case 'done':
      state = `Done at ${formatTimeOfDay(item.since, timeZone)}`;
      break;
    default:
      state = entry.status;
  }

  function onKeyDown(event: KeyboardEvent<HTMLLIElement>) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    const action = offered.find((a) => CARD_KEYS[a].toLowerCase() === event.key.toLowerCase());
    if (action === undefined) return;
    // Only the card itself, or one of its own buttons, answers: never a field.
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') return;
    event.preventDefault();
    onAction(item, action);
  }

  const label = [
    entry.ticketCode,
    name,
    position !== undefined ? `number ${position} in line` : null,
    entry.priority !== 'normal' ? queuePriorityLabel(entry.priority) : null,
    state,
    longWait ? 'long wait' : null,
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <li
      className={`queue-card queue-card--${entry.priority}${longWait ? ' queue-card--long-wait' : ''}`}
      data-card
      data-column={column}
      data-testid="queue-card"
      data-entry-id={entry.id}
      data-ticket={entry.ticketCode}
      tabIndex={0}
      aria-label={label}
      onKeyDown={onKeyDown}
    >
      <div className="queue-card__head">
        {position !== undefined && (
          <span className="queue-card__position" aria-hidden="true">
            {position}
          </span>
        )}
        <span className="queue-card__ticket">{entry.ticketCode}</span>
        <span className="queue-card__name">{name}</span>
      </div>
      <div className="queue-card__meta">
        {entry.priority !== 'normal' && (
          <span className={`desk-chip desk-chip--${entry.priority}`}>{queuePriorityLabel(entry.priority)}</span>
        )}
        <span>
          {visit}
          {provider ? ` · ${provider.displayName}` : ''}
        </span>
      </div>
      <div className={`queue-card__state${longWait ? ' queue-card__state--alert' : ''}`} data-testid="queue-card-state">
        {longWait && <span className="desk-chip desk-chip--alert">Long wait</span>}
        <span>{state}</span>
      </div>
      {entry.callReason && entry.status !== 'waiting' && (
        <div className="queue-card__reason">Out of turn: {entry.callReason}</div>
      )}
      <div className="queue-card__actions">
        {primary !== undefined && offered.includes(primary) && (
          <Button
            className={`button${primary === 'undo' ? '' : ' button--primary'}`}
            onPress={() => onAction(item, primary)}
            aria-label={`${LABELS[primary].replace('…', '')} ${entry.ticketCode}`}
            aria-keyshortcuts={CARD_KEYS[primary]}
          >
            {LABELS[primary]}
          </Button>
        )}
        {others.length > 0 && (
          <MenuTrigger>
            <Button className="button" aria-label={`More actions for ${entry.ticketCode}`}>
              More <span aria-hidden="true">▾</span>
            </Button>
            <Popover className="desk-menu-popover">
              <Menu className="desk-menu" onAction={(key) => onAction(item, key as CardAction)}>
                {others.map((action) => (
                  <MenuItem key={action} id={action} className="desk-menu__item" textValue={LABELS[action]}>
                    <span>{LABELS[action]}</span>
                    <kbd className="desk-menu__key">{CARD_KEYS[action]}</kbd>
                  </MenuItem>
                ))}
              </Menu>
            </Popover>
          </MenuTrigger>
        )}
      </div>
    </li>
  );
});
