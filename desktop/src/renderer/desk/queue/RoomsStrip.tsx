import { changeRecord, equipmentDownAt, type Room, type RoomState, type RoomUse } from '@medisync/shared/domain';
import { useState } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { useAnnounce } from '../announcer.js';
import { minutesLabel, roomStatusLabels } from '../labels.js';
import type { Workspace } from '../workspace.js';
import { shortName } from './ticket-name.js';
import type { BoardEntry } from './use-queue-board.js';

export const ROOM_STATE_LABELS: Record<RoomState, string> = {
  available: 'Free',
  called: 'Patient on the way',
  occupied: 'In use',
  cleaning: roomStatusLabels.cleaning,
  'out-of-service': roomStatusLabels['out-of-service'],
};

/** The statuses staff set by hand; "occupied" follows from who is in the room. */
const SETTABLE: Room['status'][] = ['available', 'cleaning', 'out-of-service'];

/** Each room of the site: who is in it (ticket and short name) and for how long, and its status. */
export function RoomsStrip({
  workspace,
  rooms,
  now,
  canCallNext,
  onCallNext,
}: {
  workspace: Workspace;
  rooms: RoomUse<BoardEntry>[];
  now: number;
  canCallNext: boolean;
  onCallNext: (roomId: string) => void;
}) {
  const { db } = workspace;
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);

  async function setStatus(room: Room, status: Room['status']) {
    setError(null);
    try {
      const doc = await db.rx.rooms.findOne(room.id).exec();
      if (doc === null) return;
      await db.save('rooms', changeRecord('rooms', doc.toJSON() as Room, { status }, db.clock));
      announce(`${room.name}: ${roomStatusLabels[status]}`);
    } catch {
      setError(`${room.name} could not be updated on this device.`);
    }
  }

  if (rooms.length === 0) {
    return <p className="empty">This site has no rooms yet: an administrator adds them.</p>;
  }
  return (
    <section className="rooms-strip" aria-labelledby="rooms-strip-title">
      <h2 id="rooms-strip-title" className="visually-hidden">
        Rooms
      </h2>
      <ul className="rooms-strip__list">
        {rooms.map(({ room, occupant, since, state }) => (
          <li
            key={room.id}
            className={`room-tile room-tile--${state}`}
            data-testid="room-tile"
            data-room={room.name}
            aria-label={`${room.name}: ${ROOM_STATE_LABELS[state]}${
              occupant ? `, ${occupant.entry.ticketCode} ${shortName(occupant.patient)}` : ''
            }`}
          >
            <div className="room-tile__head">
              <span className="room-tile__name">{room.name}</span>
              <span className="room-tile__state">{ROOM_STATE_LABELS[state]}</span>
            </div>
            <div className="room-tile__who" data-testid="room-occupant">
              {occupant ? (
                <>
                  <span className="room-tile__ticket">{occupant.entry.ticketCode}</span> {shortName(occupant.patient)}
                  {since && (
                    <span className="room-tile__since">
                      {state === 'called' ? 'called ' : 'for '}
                      {minutesLabel((now - Date.parse(since)) / 60_000)}
                      {state === 'called' ? ' ago' : ''}
                    </span>
                  )}
                </>
              ) : (
                <span className="room-tile__nobody">Nobody</span>
              )}
            </div>
            <EquipmentDown room={room} now={now} />
            <div className="room-tile__actions">
              {state === 'available' && canCallNext && (
                <Button
                  className="button button--small"
                  onPress={() => onCallNext(room.id)}
                  aria-label={`Call next to ${room.name}`}
                >
                  Call next
                </Button>
              )}
              <MenuTrigger>
                <Button className="button button--small" aria-label={`Status of ${room.name}`}>
                  Status <span aria-hidden="true">▾</span>
                </Button>
                <Popover className="desk-menu-popover">
                  <Menu
                    className="desk-menu"
                    onAction={(key) => void setStatus(room, key as Room['status'])}
                    disabledKeys={[room.status]}
                  >
                    {SETTABLE.map((status) => (
                      <MenuItem key={status} id={status} className="desk-menu__item">
                        {roomStatusLabels[status]}
                      </MenuItem>
                    ))}
                  </Menu>
                </Popover>
              </MenuTrigger>
            </div>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** The room's equipment that cannot be used now (out of service, or in planned maintenance; docs/architecture.md §9.8). */
function EquipmentDown({ room, now }: { room: Room; now: number }) {
  const down = equipmentDownAt(room, new Date(now));
  if (down.length === 0) return null;
  return (
    <div className="room-tile__equipment" data-testid="equipment-down">
      <span aria-hidden="true">⚠ </span>
      {down.map((e) => e.name).join(', ')}:{' '}
      {down.every((e) => e.status === 'in-service') ? 'maintenance' : 'unavailable'}
    </div>
  );
}
