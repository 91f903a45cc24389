import {
  callableRooms,
  callToRoom,
  finishVisit,
  nextToCall,
  passedOver,
  recall,
  requeue,
  roomsForVisit,
  sendIn,
  undoLastStep,
  undoStatus,
  type QueueEntry,
  type QueueStep,
} from '@medisync/shared/domain';
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Button, Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { queueStatusLabel } from '../labels.js';
import { dialogIsOpen, isTyping } from '../shell/shortcuts.js';
import type { Workspace } from '../workspace.js';
import { QueueCard, type CardAction } from './QueueCard.js';
import { QueueDialogs, type OpenDialog } from './QueueDialogs.js';
import { RoomSelect } from './RoomSelect.js';
import { RoomsStrip } from './RoomsStrip.js';
import { ticketName } from './ticket-name.js';
import './queue.css';
import { useNow } from '../shell/use-now.js';
import { useQueueActions } from './use-queue-actions.js';
import { DONE_SHOWN, useQueueBoard, useSiteQueues, type BoardEntry } from './use-queue-board.js';

const QUEUE_PARAM = 'queue';

/** "reception" -> "Reception", with the ticket prefix staff hear called: "Reception (A)". */
function queueLabel(queue: string, prefix: string | undefined): string {
  const words = queue.replace(/-/g, ' ');
  return `${words[0]!.toUpperCase()}${words.slice(1)}${prefix ? ` (${prefix})` : ''}`;
}

/**
 * The queue board: per queue (a tab each, kept in the URL), the waiting in the
 * derived order, the called, those in a room and those done today, with the
 * site's rooms above. Every action is a local write through the domain's
 * queue steps, so the board works the same with the network down.
 */
export function QueueBoard({ workspace }: { workspace: Workspace }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get(QUEUE_PARAM) ?? 'reception';
  const probe = useSiteQueues(workspace);
  const queues = probe.queues.includes(requested) ? probe.queues : [requested, ...probe.queues];

  return (
    <section className="queue-board" aria-labelledby="queue-board-title">
      <h1 id="queue-board-title" className="queue-board__title">
        Queue
      </h1>
      <Tabs
        selectedKey={requested}
        onSelectionChange={(key) =>
          setParams(
            (current) => {
              const next = new URLSearchParams(current);
              next.set(QUEUE_PARAM, String(key));
              return next;
            },
            { replace: true },
          )
        }
      >
        <TabList aria-label="Queues" className="queue-board__tabs">
          {queues.map((queue) => (
            <Tab key={queue} id={queue} className="queue-board__tab">
              {queueLabel(queue, probe.site?.queuePrefixes[queue])}
            </Tab>
          ))}
        </TabList>
        {queues.map((queue) => (
          <TabPanel key={queue} id={queue} className="queue-board__panel">
            <Board workspace={workspace} queue={queue} />
          </TabPanel>
        ))}
      </Tabs>
    </section>
  );
}

function Board({ workspace, queue }: { workspace: Workspace; queue: string }) {
  const board = useQueueBoard(workspace, queue);
  const actions = useQueueActions(workspace);
  const now = useNow();
  const [picked, setPicked] = useState<string | null>(null);
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const boardRef = useRef<HTMLDivElement>(null);

  // Rooms are shared by every queue: a room the lab uses is not free for reception.
  const callable = useMemo(() => callableRooms(board.rooms), [board.rooms]);
  // The room the receptionist picked while it can be called to; otherwise the first free room.
  const roomId =
    picked !== null && callable.some((use) => use.room.id === picked) ? picked : (callable[0]?.room.id ?? null);

  const roomName = (id: string | null) => board.rooms.find((use) => use.room.id === id)?.room.name ?? 'no room';
  const options = { appointmentsById: board.appointmentsById };
  const next = nextToCall(board.entries, options);

  async function callNext(toRoom: string | null = roomId) {
    if (next === null) {
      actions.clearLast();
      return;
    }
    // No room chosen, or one without what the visit needs (docs/architecture.md §9.8): the call dialog
    // offers only the rooms that have it, or says that none has.
    const visitType = board.byId.get(next.id)?.appointment?.visitType;
    if (toRoom === null || !roomsForVisit(callable, visitType, new Date()).some((use) => use.room.id === toRoom)) {
      setDialog({ kind: 'call', entryId: next.id, passedOver: [] });
      return;
    }
    const saved = await actions.run(
      next.id,
      (entry, step) => callToRoom(entry, toRoom, step),
      (called) => `Called ${called.ticketCode} ${ticketName(board.byId.get(called.id))} to ${roomName(toRoom)}`,
      { undoable: true },
    );
    // The room is taken now: the next call goes to the next free one unless the receptionist picks again.
    if (saved) setPicked(null);
  }

  function openCall(entryId: string) {
    setDialog({ kind: 'call', entryId, passedOver: passedOver(board.entries, entryId, options) });
  }

  // One handler for every card, the same across draws so a card whose row did not change is not redrawn;
  // it runs this draw's `perform`, which sees the board as it is now.
  const performNow = useRef<typeof perform>(null);
  useLayoutEffect(() => {
    performNow.current = perform;
  });
  const onCardAction = useCallback(
    (item: BoardEntry, action: CardAction) => void performNow.current?.(item, action),
    [],
  );

  async function perform(item: BoardEntry, action: CardAction) {
    const { entry } = item;
    const who = `${entry.ticketCode} ${ticketName(item)}`;
    switch (action) {
      case 'call':
        openCall(entry.id);
        return;
      case 'change-room':
        setDialog({ kind: 'room', entryId: entry.id });
        return;
      case 'no-show':
        setDialog({ kind: 'no-show', entryId: entry.id });
        return;
      case 'undo': {
        const to = undoStatus(entry);
        if (to === null) return;
        await actions.run(
          entry.id,
          (current, step) => undoLastStep(current, step),
          () => `Undone: ${who} is ${queueStatusLabel(to).toLowerCase()} again`,
        );
        return;
      }
      default:
        await actions.run(entry.id, CARD_STEPS[action].step, (after) => CARD_STEPS[action].say(who, after, roomName), {
          undoable: CARD_STEPS[action].undoable,
          finishesVisit: action === 'done',
        });
    }
  }

  function onBoardKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || dialogIsOpen()) return;
    if (event.key === 'C' && event.shiftKey) {
      event.preventDefault();
      void callNext();
      return;
    }
    const cards = [...(boardRef.current?.querySelectorAll<HTMLElement>('[data-card]') ?? [])];
    const current = (event.target as HTMLElement).closest<HTMLElement>('[data-card]');
    if (current === null) return;
    const columnOf = (el: HTMLElement) => el.dataset.column ?? '';
    const inColumn = cards.filter((el) => columnOf(el) === columnOf(current));
    const columns = [...new Set(cards.map(columnOf))];
    const move = (target: HTMLElement | undefined) => {
      if (target === undefined) return;
      event.preventDefault();
      target.focus();
    };
    if (event.key === 'ArrowDown') move(inColumn[inColumn.indexOf(current) + 1]);
    else if (event.key === 'ArrowUp') move(inColumn[inColumn.indexOf(current) - 1]);
    else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const step = event.key === 'ArrowRight' ? 1 : -1;
      const column = columns[columns.indexOf(columnOf(current)) + step];
      move(cards.find((el) => columnOf(el) === column));
    }
  }

  const undoLast = actions.last?.undoable ? board.byId.get(actions.last.entryId) : undefined;

  return (
    <div className="queue-board__body" ref={boardRef} onKeyDown={onBoardKeyDown}>
      <RoomsStrip
        workspace={workspace}
        rooms={board.rooms}
        now={now}
        canCallNext={next !== null}
        onCallNext={(id) => void callNext(id)}
      />
      <div className="queue-board__toolbar">
        <RoomSelect label="Call to room" rooms={callable} selected={roomId} onChange={setPicked} />
        <Button
          className="button button--primary queue-board__call-next"
          isDisabled={next === null}
          onPress={() => void callNext()}
          aria-keyshortcuts="Shift+C"
        >
          {next === null ? 'Nobody waiting' : `Call next: ${next.ticketCode}`}
        </Button>
        <div className="queue-board__outcome">
          {actions.error ? (
            <p className="error" role="alert">
              {actions.error}
            </p>
          ) : (
            actions.last && (
              <p className="queue-board__last">
                {actions.last.message}
                {undoLast && undoStatus(undoLast.entry) !== null && (
                  <Button className="button button--link" onPress={() => void perform(undoLast, 'undo')}>
                    Undo
                  </Button>
                )}
              </p>
            )
          )}
        </div>
      </div>
      <div className="queue-board__columns">
        <Column title="Waiting" id="waiting" count={board.waiting.length} empty="Nobody is waiting in this queue.">
          {board.waiting.map((item, index) => (
            <QueueCard
              key={item.entry.id}
              item={item}
              column="waiting"
              now={now}
              timeZone={workspace.session.site.timezone}
              position={index + 1}
              onAction={onCardAction}
            />
          ))}
        </Column>
        <Column title="Called" id="called" count={board.called.length} empty="Nobody has been called.">
          {board.called.map((item) => (
            <QueueCard
              key={item.entry.id}
              item={item}
              column="called"
              now={now}
              timeZone={workspace.session.site.timezone}
              roomName={roomName(item.entry.roomId)}
              onAction={onCardAction}
            />
          ))}
        </Column>
        <Column title="In room" id="in-room" count={board.inRoom.length} empty="Nobody is in a room.">
          {board.inRoom.map((item) => (
            <QueueCard
              key={item.entry.id}
              item={item}
              column="in-room"
              now={now}
              timeZone={workspace.session.site.timezone}
              roomName={roomName(item.entry.roomId)}
              onAction={onCardAction}
            />
          ))}
        </Column>
        <Column
          title="Done today"
          id="done"
          count={board.doneCount}
          empty="No visit from this queue has finished yet today."
          note={board.doneCount > DONE_SHOWN ? `The latest ${DONE_SHOWN} of ${board.doneCount}.` : undefined}
        >
          {board.done.map((item) => (
            <QueueCard
              key={item.entry.id}
              item={item}
              column="done"
              now={now}
              timeZone={workspace.session.site.timezone}
              roomName={roomName(item.entry.roomId)}
              onAction={onCardAction}
            />
          ))}
        </Column>
      </div>
      {dialog && (
        <QueueDialogs
          dialog={dialog}
          board={board}
          callable={callable}
          defaultRoomId={roomId}
          actions={actions}
          roomName={roomName}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}

function Column({
  title,
  id,
  count,
  empty,
  note,
  children,
}: {
  title: string;
  id: string;
  count: number;
  empty: string;
  note?: string | undefined;
  children: ReactNode[];
}) {
  const headingId = `queue-column-${id}`;
  return (
    <section className={`queue-column queue-column--${id}`} aria-labelledby={headingId}>
      <h2 id={headingId} className="queue-column__title">
        {title} <span className="queue-column__count">{count}</span>
      </h2>
      {children.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <ol className="queue-column__list" aria-labelledby={headingId}>
          {children}
        </ol>
      )}
      {note && <p className="queue-column__note">{note}</p>}
    </section>
  );
}

/** The steps a card's buttons take directly (the others open a dialog first). */
const CARD_STEPS: Record<
  Exclude<CardAction, 'call' | 'change-room' | 'no-show' | 'undo'>,
  {
    step: (entry: QueueEntry, how: QueueStep) => QueueEntry;
    say: (who: string, after: QueueEntry, roomName: (id: string | null) => string) => string;
    undoable: boolean;
  }
> = {
  recall: {
    step: recall,
    say: (who, after, roomName) => `Called ${who} again to ${roomName(after.roomId)}`,
    undoable: false,
  },
  'send-in': {
    step: sendIn,
    say: (who, after, roomName) => `${who} is in ${roomName(after.roomId)}`,
    undoable: false,
  },
  done: {
    step: finishVisit,
    say: (who) => `${who} is done`,
    undoable: true,
  },
  requeue: {
    step: requeue,
    say: (who) => `${who} is waiting again`,
    undoable: false,
  },
};
