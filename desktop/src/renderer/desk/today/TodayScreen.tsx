import { addDays, dayRangeUtc, type Appointment, type Patient, type QueueEntry } from '@medisync/shared/domain';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ToggleButton, ToggleButtonGroup } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { KeptObjects, shallowSame } from '../../shell/kept-objects.js';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { minutesLabel, noShowRiskLabels, visitTypeLabel } from '../labels.js';
import { patientListName, patientSpokenName } from '../names.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { ChoiceSelect, DayPicker } from '../shell/controls.js';
import { dialogIsOpen } from '../shell/shortcuts.js';
import { useNow } from '../shell/use-now.js';
import { useVisitPanel } from '../shell/use-visit-panel.js';
import { useSiteToday, type SiteDay } from '../use-site-today.js';
import { canCheckIn, canMarkNoShow, failureMessage, markVisitNoShow, undoVisitStep } from '../visit/visit-actions.js';
import type { Workspace } from '../workspace.js';
import { MetricCards } from './MetricCards.js';
import {
  dayKind,
  dayMetrics,
  matchesStatus,
  ON_THE_DAY,
  statusFilters,
  visitState,
  type TodayStatusFilter,
  type VisitState,
} from './today-model.js';
import { PROVIDER_PAGE, useDaySchedule, useSiteProviders } from './use-day-schedule.js';

type Layout = 'columns' | 'rows';
const LAYOUT_KEY = 'medisync.today.layout';

function storedLayout(): Layout {
  try {
    return localStorage.getItem(LAYOUT_KEY) === 'rows' ? 'rows' : 'columns';
  } catch {
    return 'columns';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATUS_CHOICES = Object.entries(statusFilters).map(([id, label]) => ({ id, label }));

function dayOf(date: string, timeZone: string): SiteDay {
  const { start, end } = dayRangeUtc(date, timeZone);
  return { date, start: start.toISOString(), end: end.toISOString() };
}

interface Card {
  appointment: Appointment;
  patient: Patient | undefined;
  entry: QueueEntry | undefined;
  state: VisitState;
}

/**
 * The day at the site: metric cards, then each provider's appointments in time
 * order, as columns or rows. Other days by date picker or [ and ]; past days
 * are read-only. Arrow keys move between appointments, Enter opens the visit
 * panel, C checks in, N marks a no-show, U undoes the last step.
 */
export function TodayScreen({ workspace }: { workspace: Workspace }) {
  const { session } = workspace;
  const timeZone = session.site.timezone;
  const today = useSiteToday(timeZone);
  const [params, setParams] = useSearchParams();
  const requested = params.get('date');
  const date = requested && DATE.test(requested) ? requested : today.date;
  const day = useMemo(() => (date === today.date ? today : dayOf(date, timeZone)), [date, today, timeZone]);
  const kind = dayKind(date, today.date);
  const filters = {
    providerId: params.get('provider'),
    status: (params.get('status') as TodayStatusFilter | null) ?? null,
    visitType: params.get('type'),
  };
  const [layout, setLayout] = useState<Layout>(storedLayout);
  const [pages, setPages] = useState<Record<string, number>>({});
  const providers = useSiteProviders(workspace);
  const schedule = useDaySchedule(workspace, providers ?? [], day, (id) => pages[id] ?? PROVIDER_PAGE);
  const now = useNow();
  const announce = useAnnounce();
  const { visitId, openVisit } = useVisitPanel();
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [confirmNoShow, setConfirmNoShow] = useState<Card | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timelineRef = useRef<HTMLDivElement>(null);

  const setParam = useCallback(
    (name: string, value: string | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (value === null) next.delete(name);
        else next.set(name, value);
        return next;
      }),
    [setParams],
  );
  const goToDay = useCallback(
    (next: string) => setParam('date', next === today.date ? null : next),
    [setParam, today.date],
  );

  const allAppointments = useMemo(() => schedule.days.flatMap((d) => d.appointments), [schedule.days]);
  const metrics = useMemo(
    () => dayMetrics(allAppointments, schedule.entries, now),
    [allAppointments, schedule.entries, now],
  );
  // The day's visit types as one string, so the filter's choices stay the same object while the types do.
  const visitTypes = useMemo(
    () =>
      [...new Set(allAppointments.map((a) => a.visitType))]
        .sort((a, b) => visitTypeLabel(a).localeCompare(visitTypeLabel(b)))
        .join('\n'),
    [allAppointments],
  );

  // A visit keeps its card object while nothing on it changes, so a check-in redraws its own card, not the day's.
  const [cards] = useState(() => new KeptObjects(sameCard));
  const columns = useMemo(() => {
    const found = schedule.days
      .filter((d) => filters.providerId === null || d.provider.id === filters.providerId)
      .map((d) => ({
        ...d,
        cards: d.appointments
          .filter((a) => ON_THE_DAY.includes(a.status))
          .filter((a) => filters.visitType === null || a.visitType === filters.visitType)
          .map((appointment) => {
            const entry = schedule.entryByAppointment.get(appointment.id);
            return cards.keep(appointment.id, {
              appointment,
              entry,
              patient: schedule.patients.get(appointment.patientId),
              state: visitState(appointment, entry, now, kind),
            });
          })
          .filter((card) => filters.status === null || matchesStatus(filters.status, card.state, card.appointment)),
      }));
    cards.done();
    return found;
  }, [cards, schedule, filters.providerId, filters.visitType, filters.status, now, kind]);
  const cardById = useMemo(() => {
    const byId = new Map<string, Card>();
    for (const column of columns) for (const card of column.cards) byId.set(card.appointment.id, card);
    return byId;
  }, [columns]);
  // The roving focus stays on a card that is still shown, else the first one.
  const activeId =
    focusedId !== null && cardById.has(focusedId)
      ? focusedId
      : (columns.find((c) => c.cards.length > 0)?.cards[0]?.appointment.id ?? null);

  const openCard = useCallback(
    (id: string) => {
      setFocusedId(id);
      openVisit(id);
    },
    [openVisit],
  );

  function focusCard(id: string) {
    setFocusedId(id);
    timelineRef.current?.querySelector<HTMLElement>(`[data-visit-trigger="${id}"]`)?.focus();
  }

  async function undo(card: Card) {
    setError(null);
    try {
      const { to } = await undoVisitStep(workspace, card.appointment.id, today);
      announce(`Undone: ${patientSpokenName(card.patient)} is ${to === 'booked' ? 'booked again' : to}`);
    } catch (failure) {
      setError(failureMessage(failure, 'The undo'));
    }
  }

  async function noShow(card: Card) {
    setConfirmNoShow(null);
    setError(null);
    try {
      await markVisitNoShow(workspace, card.appointment.id);
      announce(`${patientSpokenName(card.patient)} marked as a no-show. Press U to undo.`);
    } catch (failure) {
      setError(failureMessage(failure, 'The no-show'));
    }
    focusCard(card.appointment.id);
  }

  function onTimelineKey(event: KeyboardEvent<HTMLDivElement>) {
    if (event.ctrlKey || event.metaKey || event.altKey || dialogIsOpen()) return;
    const id = (event.target as HTMLElement).closest<HTMLElement>('[data-visit-trigger]')?.dataset.visitTrigger;
    if (!id) return;
    const card = cardById.get(id);
    if (!card) return;
    const col = columns.findIndex((c) => c.cards.some((x) => x.appointment.id === id));
    const row = columns[col]!.cards.findIndex((x) => x.appointment.id === id);
    const along =
      layout === 'columns' ? { prev: 'ArrowUp', next: 'ArrowDown' } : { prev: 'ArrowLeft', next: 'ArrowRight' };
    const across =
      layout === 'columns' ? { prev: 'ArrowLeft', next: 'ArrowRight' } : { prev: 'ArrowUp', next: 'ArrowDown' };
    const move = (target: Card | undefined) => {
      event.preventDefault();
      if (target) focusCard(target.appointment.id);
    };
    if (event.shiftKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) return;
    switch (event.key) {
      case along.prev:
        return move(columns[col]!.cards[row - 1]);
      case along.next:
        return move(columns[col]!.cards[row + 1]);
      case across.prev:
      case across.next: {
        const step = event.key === across.prev ? -1 : 1;
        for (let c = col + step; c >= 0 && c < columns.length; c += step) {
          const cards = columns[c]!.cards;
          if (cards.length > 0) return move(nearestInTime(cards, card.appointment.start));
        }
        return move(undefined);
      }
      case 'Home':
        return move(columns[col]!.cards[0]);
      case 'End':
        return move(columns[col]!.cards.at(-1));
    }
    if (event.shiftKey && event.key !== 'C' && event.key !== 'N' && event.key !== 'U') return;
    const key = event.key.toLowerCase();
    if (key === 'c') {
      event.preventDefault();
      if (kind === 'today' && canCheckIn(card.appointment)) openVisit(card.appointment.id);
      else setError(kind !== 'today' ? 'Check-in is for today’s visits only.' : 'This visit cannot be checked in.');
    } else if (key === 'n') {
      event.preventDefault();
      if (kind === 'today' && canMarkNoShow(card.appointment)) setConfirmNoShow(card);
      else setError('Only a booked visit of today can be marked as a no-show.');
    } else if (key === 'u') {
      event.preventDefault();
      if (kind === 'today') void undo(card);
      else setError('Past and future days are read-only.');
    }
  }

  // Day keys work anywhere on the screen but in a field: [ and ] or Shift+arrows for the neighbouring day, T for today.
  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || dialogIsOpen()) return;
      const target = event.target as HTMLElement | null;
      if (
        target?.closest(
          'input, textarea, select, [role="combobox"], [role="spinbutton"], [role="listbox"], .visit-panel',
        )
      )
        return;
      const back = event.key === '[' || (event.shiftKey && event.key === 'ArrowLeft');
      const forward = event.key === ']' || (event.shiftKey && event.key === 'ArrowRight');
      if (back || forward) {
        event.preventDefault();
        goToDay(addDays(date, back ? -1 : 1));
      } else if (event.key === 't' && !event.shiftKey && !target?.closest('[data-visit-trigger]')) {
        goToDay(today.date);
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [date, goToDay, today.date]);

  const title = kind === 'today' ? 'Today' : formatDay(new Date(`${date}T12:00:00Z`), 'UTC');
  const providerChoices = useMemo(
    () => (providers ?? []).map((p) => ({ id: p.id, label: p.displayName })),
    [providers],
  );
  const visitTypeChoices = useMemo(
    () => (visitTypes === '' ? [] : visitTypes.split('\n').map((t) => ({ id: t, label: visitTypeLabel(t) }))),
    [visitTypes],
  );
  const filterBy = useMemo(
    () => ({
      provider: (v: string | null) => setParam('provider', v),
      status: (v: string | null) => setParam('status', v),
      type: (v: string | null) => setParam('type', v),
    }),
    [setParam],
  );

  return (
    <section className="today" aria-labelledby="today-title">
      <div className="today__head">
        <h1 id="today-title">
          {title}
          {kind !== 'today' && (
            <span className="today__kind">{kind === 'past' ? 'Past day: read-only' : 'Upcoming day'}</span>
          )}
        </h1>
        <div className="today__day" role="group" aria-label="Day shown">
          <button
            type="button"
            className="button"
            onClick={() => goToDay(addDays(date, -1))}
            aria-keyshortcuts="["
            title="Previous day ( [ )"
          >
            <span aria-hidden="true">‹ </span>Previous day
          </button>
          <DayPicker label="Day" value={date} onChange={goToDay} />
          <button
            type="button"
            className="button"
            onClick={() => goToDay(addDays(date, 1))}
            aria-keyshortcuts="]"
            title="Next day ( ] )"
          >
            Next day<span aria-hidden="true"> ›</span>
          </button>
          {kind !== 'today' && (
            <button type="button" className="button" onClick={() => goToDay(today.date)}>
              Back to today
            </button>
          )}
        </div>
      </div>

      <MetricCards metrics={metrics} kind={kind} />

      <div className="today__filters" role="group" aria-label="Filters and layout">
        <ChoiceSelect
          label="Provider"
          allLabel="All providers"
          choices={providerChoices}
          value={filters.providerId}
          onChange={filterBy.provider}
        />
        <ChoiceSelect
          label="Status"
          allLabel="Any status"
          choices={STATUS_CHOICES}
          value={filters.status}
          onChange={filterBy.status}
        />
        <ChoiceSelect
          label="Visit type"
          allLabel="All visit types"
          choices={visitTypeChoices}
          value={filters.visitType}
          onChange={filterBy.type}
        />
        <ToggleButtonGroup
          className="segmented"
          aria-label="Layout"
          selectionMode="single"
          disallowEmptySelection
          selectedKeys={[layout]}
          onSelectionChange={(keys) => {
            const next = [...keys][0] === 'rows' ? 'rows' : 'columns';
            setLayout(next);
            try {
              localStorage.setItem(LAYOUT_KEY, next);
            } catch {
              // A browser without storage keeps the choice for this session only.
            }
          }}
        >
          <ToggleButton id="columns" className="segmented__button">
            Columns
          </ToggleButton>
          <ToggleButton id="rows" className="segmented__button">
            Rows
          </ToggleButton>
        </ToggleButtonGroup>
      </div>

      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}

      {providers !== null && providers.length === 0 ? (
        <p className="empty">No providers yet. The schedule appears as soon as the first sync brings it.</p>
      ) : (
        <div
          ref={timelineRef}
          className={`timeline timeline--${layout}`}
          onKeyDown={onTimelineKey}
          data-testid="timeline"
          data-layout={layout}
        >
          {columns.map((column) => (
            <section
              key={column.provider.id}
              className="provider-day"
              aria-labelledby={`provider-${column.provider.id}`}
              data-testid="provider-day"
            >
              <h2 id={`provider-${column.provider.id}`} className="provider-day__title">
                <span>{column.provider.displayName}</span>
                <span className="provider-day__meta">
                  {column.provider.specialty ? `${column.provider.specialty} · ` : ''}
                  {column.cards.length} {column.cards.length === 1 ? 'visit' : 'visits'}
                </span>
              </h2>
              {column.cards.length === 0 ? (
                <p className="empty">{schedule.loaded ? 'No visits match.' : 'Loading…'}</p>
              ) : (
                <ol className="provider-day__list">
                  {column.cards.map((card) => (
                    <VisitCard
                      key={card.appointment.id}
                      card={card}
                      timeZone={timeZone}
                      tabbable={card.appointment.id === activeId}
                      selected={card.appointment.id === visitId}
                      onOpen={openCard}
                      onFocus={setFocusedId}
                    />
                  ))}
                </ol>
              )}
              {column.hasMore && (
                <button
                  type="button"
                  className="button button--quiet"
                  onClick={() =>
                    setPages((p) => ({
                      ...p,
                      [column.provider.id]: (p[column.provider.id] ?? PROVIDER_PAGE) + PROVIDER_PAGE,
                    }))
                  }
                >
                  Show more for {column.provider.displayName}
                </button>
              )}
            </section>
          ))}
        </div>
      )}

      {confirmNoShow && (
        <ConfirmDialog
          title="Mark as a no-show?"
          confirmLabel="Mark no-show"
          danger
          onConfirm={() => void noShow(confirmNoShow)}
          onCancel={() => {
            setConfirmNoShow(null);
            focusCard(confirmNoShow.appointment.id);
          }}
        >
          <p>
            {patientSpokenName(confirmNoShow.patient)}, {formatTimeOfDay(confirmNoShow.appointment.start, timeZone)}{' '}
            {visitTypeLabel(confirmNoShow.appointment.visitType).toLowerCase()}. You can undo this with U.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function nearestInTime(cards: readonly Card[], start: string): Card | undefined {
  const t = Date.parse(start);
  let best: Card | undefined;
  let bestGap = Infinity;
  for (const card of cards) {
    const gap = Math.abs(Date.parse(card.appointment.start) - t);
    if (gap < bestGap) {
      best = card;
      bestGap = gap;
    }
  }
  return best;
}

/**
 * The no-show model's word for a visit still to come (docs/architecture.md
 * §9.8), so the desk can call ahead or overbook; nothing for a low risk.
 */
function NoShowRiskChip({ appointment }: { appointment: Card['appointment'] }) {
  const risk = appointment.noShowRisk;
  if (risk == null || risk.band === 'low' || !['booked', 'pending'].includes(appointment.status)) return null;
  return (
    <span
      className={`chip chip--risk-${risk.band}`}
      data-testid="no-show-risk"
      title={`Predicted chance of a no-show: ${Math.round(risk.probability * 100)}%`}
    >
      {noShowRiskLabels[risk.band]}
    </span>
  );
}

/** Whether a visit's card draws the same as before: the same records, the same chip. */
function sameCard(a: Card, b: Card): boolean {
  return (
    a.appointment === b.appointment && a.patient === b.patient && a.entry === b.entry && shallowSame(a.state, b.state)
  );
}

const VisitCard = memo(function VisitCard({
  card,
  timeZone,
  tabbable,
  selected,
  onOpen,
  onFocus,
}: {
  card: Card;
  timeZone: string;
  tabbable: boolean;
  selected: boolean;
  onOpen: (appointmentId: string) => void;
  onFocus: (appointmentId: string) => void;
}) {
  const { appointment, patient, entry, state } = card;
  const start = formatTimeOfDay(appointment.start, timeZone);
  const chip = `${state.label}${state.minutes !== null ? ` ${minutesLabel(state.minutes)}` : ''}`;
  return (
    <li
      className={`visit visit--${state.tone}${state.highlight ? ` visit--${state.highlight}` : ''}${selected ? ' visit--selected' : ''}`}
      data-testid="appointment"
      data-appointment-id={appointment.id}
      data-status={appointment.status}
    >
      <button
        type="button"
        className="visit__open"
        data-visit-trigger={appointment.id}
        tabIndex={tabbable ? 0 : -1}
        aria-current={selected ? 'true' : undefined}
        aria-keyshortcuts="Enter C N U"
        onClick={() => onOpen(appointment.id)}
        onFocus={() => onFocus(appointment.id)}
      >
        <span className="visit__line">
          <time dateTime={appointment.start} className="visit__time">
            {start}
          </time>
          <span className="visit__name">{patientListName(patient)}</span>
        </span>
        <span className="visit__line visit__line--meta">
          <span className="visit__type">{visitTypeLabel(appointment.visitType)}</span>
          {entry && entry.status !== 'left' && (
            <span className="visit__ticket" data-testid="ticket">
              <span className="visually-hidden">ticket </span>
              {entry.ticketCode}
            </span>
          )}
          <span className={`chip chip--${state.tone}`} data-testid="appointment-status">
            {chip}
          </span>
          <NoShowRiskChip appointment={appointment} />
        </span>
        {state.highlightWord && (
          <span className={`flag flag--${state.highlight}`} data-testid="highlight">
            <span aria-hidden="true">⚠ </span>
            {state.highlightWord}
          </span>
        )}
      </button>
    </li>
  );
});
