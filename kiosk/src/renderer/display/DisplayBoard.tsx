import type { DisplayQueueEntry } from '@medisync/shared/domain';
import { useEffect, useRef, useState } from 'react';
import { catalogues, DEFAULT_LANGUAGE, type Language } from '../i18n/index.js';

/** How many calls the board shows: the latest first. */
export const BOARD_SIZE = 8;

export interface DisplayBoardProps {
  /**
   * Today's called entries as the display replica holds them (the display
   * projection: ticket code, room, called time; never a name). Newest call first.
   */
  calls: readonly DisplayQueueEntry[];
  language?: Language;
}

/**
 * The waiting-room screen: ticket codes and the rooms they are called to, in
 * type readable across a room. New calls are announced through an assertive
 * live region, so a screen reader (or a TV's speech output) says them aloud.
 */
export function DisplayBoard({ calls, language = DEFAULT_LANGUAGE }: DisplayBoardProps) {
  const t = catalogues[language];
  const shown = calls.slice(0, BOARD_SIZE);
  const [announcement, setAnnouncement] = useState('');
  const seen = useRef<Map<string, string> | null>(null);

  useEffect(() => {
    const keyOf = (call: DisplayQueueEntry) => `${call.calledAt ?? ''}|${call.roomName ?? ''}`;
    const previous = seen.current;
    seen.current = new Map(shown.map((call) => [call.id, keyOf(call)]));
    // The first render shows what is already called without reading it all out.
    if (previous === null) return;
    const fresh = shown.filter((call) => previous.get(call.id) !== keyOf(call));
    if (fresh.length === 0) return;
    setAnnouncement(
      fresh
        .map((call) =>
          call.roomName ? t.displayCall(call.ticketCode, call.roomName) : t.displayCallNoRoom(call.ticketCode),
        )
        .join('. '),
    );
  }, [shown, t]);

  return (
    <main className="display" lang={language}>
      <h1 className="display__title">{t.displayTitle}</h1>
      {shown.length === 0 ? (
        <p className="display__empty">{t.displayEmpty}</p>
      ) : (
        <table className="display__calls">
          <thead>
            <tr>
              <th scope="col">{t.displayTicket}</th>
              <th scope="col">{t.displayRoom}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((call, index) => (
              <tr key={call.id} className={index === 0 ? 'display__latest' : undefined} data-testid="display-call">
                <th scope="row">{call.ticketCode}</th>
                <td>{call.roomName ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="visually-hidden" role="alert" aria-live="assertive" data-testid="display-announcement">
        {announcement}
      </p>
    </main>
  );
}
