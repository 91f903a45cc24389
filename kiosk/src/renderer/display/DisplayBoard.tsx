import type { DisplayQueueEntry, QueueSummary } from '@medisync/shared/domain';
import { formatTimeOfDay } from '@medisync/desktop/shell/browser';
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { catalogues, DEFAULT_LANGUAGE, type Language } from '../i18n/index.js';
import type { CallAnnouncer } from './lobby-sound.js';

/** Call rows the board shows: as many as stay readable across a room in each orientation. */
export const BOARD_ROWS = { landscape: 6, portrait: 10 } as const;

export interface DisplayBoardProps {
  /**
   * Today's called entries as the display replica holds them (the display
   * projection: ticket code, room, called time; never a name). Newest call first.
   */
  calls: readonly DisplayQueueEntry[];
  /** Waiting count and typical wait per queue (`summariseQueues`). */
  queues?: readonly QueueSummary[];
  /** The clinic's name, once the site has reached the display. */
  clinicName?: string | null;
  /** The site's time zone, for the clock. */
  timeZone?: string;
  language?: Language;
  /** Chime and speech for a new call; absent, new calls are only announced to screen readers. */
  announcer?: CallAnnouncer;
  /**
   * False while the replica is still catching up with the server (opening, first
   * sync): calls arriving then are what was already called, shown but not read out.
   */
  settled?: boolean;
}

/** How old a call may be and still be announced when the display learns of it. */
const ANNOUNCE_WITHIN_MS = 2 * 60_000;

/**
 * The waiting-room screen: the clinic's name and clock, ticket codes and the
 * rooms they are called to in type readable across a room, and how many wait
 * in each queue with the typical wait. Every row it shows fits the screen in
 * either orientation (rows share the board's height); calls beyond them are
 * counted as "+N more". A new call is announced through an assertive live
 * region, with a chime and optional speech.
 */
export function DisplayBoard({
  calls,
  queues = [],
  clinicName = null,
  timeZone = 'UTC',
  language = DEFAULT_LANGUAGE,
  announcer,
  settled = true,
}: DisplayBoardProps) {
  const t = catalogues[language];
  const portrait = useMediaQuery('(orientation: portrait)');
  const rows = portrait ? BOARD_ROWS.portrait : BOARD_ROWS.landscape;
  const overflow = calls.length > rows;
  const shown = calls.slice(0, overflow ? rows - 1 : rows);
  const hidden = calls.length - shown.length;
  const clock = useClock(timeZone);
  const [announcement, setAnnouncement] = useState('');
  const seen = useRef<Map<string, string> | null>(null);

  useEffect(() => {
    const keyOf = (call: DisplayQueueEntry) => `${call.calledAt ?? ''}|${call.roomName ?? ''}`;
    const previous = seen.current;
    seen.current = new Map(calls.map((call) => [call.id, keyOf(call)]));
    // What is already called when the screen opens is shown without reading it all out.
    if (previous === null || !settled) return;
    // A call the display learns of late (after being offline) is shown, not announced:
    // its patient has long gone in.
    const recent = (call: DisplayQueueEntry) =>
      call.calledAt !== null && Date.now() - Date.parse(call.calledAt) < ANNOUNCE_WITHIN_MS;
    const fresh = calls.filter((call) => previous.get(call.id) !== keyOf(call) && recent(call));
    if (fresh.length === 0) return;
    const text = fresh
      .map((call) =>
        call.roomName ? t.displayCall(call.ticketCode, call.roomName) : t.displayCallNoRoom(call.ticketCode),
      )
      .join('. ');
    setAnnouncement(text);
    announcer?.announce(text, language);
  }, [calls, settled, t, announcer, language]);

  return (
    <main className={`display${portrait ? ' display--portrait' : ''}`} lang={language} aria-busy={!settled}>
      <header className="display__top">
        <p className="display__clinic" data-testid="display-clinic">
          {clinicName ?? ''}
        </p>
        <p className="display__clock">
          <span className="visually-hidden">{t.displayClock}: </span>
          <time data-testid="display-clock">{clock}</time>
        </p>
      </header>
      <div className="display__body">
        <section className="display__board" aria-labelledby="display-title">
          <h1 className="display__title" id="display-title">
            {t.displayTitle}
          </h1>
          {shown.length === 0 ? (
            <p className="display__empty">{t.displayEmpty}</p>
          ) : (
            <>
              <div className="display__columns" aria-hidden="true">
                <span>{t.displayTicket}</span>
                <span>{t.displayRoom}</span>
              </div>
              <ol
                className="display__calls"
                style={{ '--rows': rows } as CSSProperties}
                data-rows={rows}
                data-testid="display-calls"
              >
                {shown.map((call, index) => (
                  <li
                    key={call.id}
                    className={`display__call${index === 0 ? ' display__latest' : ''}`}
                    data-testid="display-call"
                  >
                    <span className="display__ticket">
                      <span className="visually-hidden">{t.displayTicket} </span>
                      {call.ticketCode}
                    </span>
                    <span>
                      <span className="visually-hidden">{t.displayRoom}: </span>
                      {call.roomName ?? '—'}
                    </span>
                  </li>
                ))}
                {hidden > 0 && (
                  <li className="display__more" data-testid="display-more">
                    {t.displayMore(hidden)}
                  </li>
                )}
              </ol>
            </>
          )}
        </section>
        {queues.length > 0 && (
          <ul className="display__queues" data-testid="display-queues">
            {queues.map((queue) => (
              <li key={queue.queue} className="display__queue">
                <h2>{t.displayQueue(queue.queue)}</h2>
                <p className="display__waiting">{t.displayWaiting(queue.waiting)}</p>
                {queue.typicalWaitMinutes !== null && <p>{t.displayTypicalWait(queue.typicalWaitMinutes)}</p>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <p className="visually-hidden" role="alert" aria-live="assertive" data-testid="display-announcement">
        {announcement}
      </p>
    </main>
  );
}

function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}

/** The time at the site, to the minute. */
function useClock(timeZone: string): string {
  const [clock, setClock] = useState(() => formatTimeOfDay(new Date().toISOString(), timeZone));
  useEffect(() => {
    const tick = () => setClock(formatTimeOfDay(new Date().toISOString(), timeZone));
    const timer = setInterval(tick, 5_000);
    tick();
    return () => clearInterval(timer);
  }, [timeZone]);
  return clock;
}
