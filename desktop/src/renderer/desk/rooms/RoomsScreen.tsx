import {
  addDays,
  equipmentStateOf,
  equipmentStatuses,
  facilityNeedOf,
  roomFits,
  roomStatuses,
  visitTypeNeeds,
  type Room,
} from '@medisync/shared/domain';
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { RxDocument } from 'rxdb';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { roomKindLabels, roomStatusLabels, visitTypeLabel } from '../labels.js';
import { DayPicker } from '../shell/controls.js';
import { useLiveQuery } from '../use-query.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { cancelMaintenance, planMaintenance, setEquipmentStatus, setRoomStatus } from './rooms-writes.js';
import './rooms.css';

const equipmentStatusLabels = { 'in-service': 'In service', 'out-of-service': 'Out of service' } as const;

/**
 * Rooms and their equipment, for admins (docs/architecture.md §9.8): a room's
 * status, each piece's status, and planned maintenance. Saved on this device
 * and synced; booking on every desk and on the server leaves out the slots a
 * visit cannot have because of them.
 */
export function RoomsScreen({ workspace }: { workspace: Workspace }) {
  const { db, session } = workspace;
  const roomDocs = useLiveQuery(
    () => db.rx.rooms.find({ selector: { siteId: session.site.id }, limit: 200 }),
    [db, session.site.id],
    [] as RxDocument<Room>[],
  );
  const rooms = useMemo(
    () => roomDocs.map((doc) => doc.toJSON() as Room).sort((a, b) => a.name.localeCompare(b.name)),
    [roomDocs],
  );
  return (
    <section className="rooms" aria-labelledby="rooms-title">
      <h1 id="rooms-title">Rooms and equipment</h1>
      <p className="rooms__intro">
        Booking leaves out the times a visit cannot have its room or equipment:{' '}
        {Object.keys(visitTypeNeeds)
          .map((code) => `${visitTypeLabel(code)} needs ${needWords(code)}`)
          .join('; ')}
        .
      </p>
      {rooms.length === 0 && <p className="empty">No rooms at this site yet.</p>}
      <ul className="rooms__list">
        {rooms.map((room) => (
          <RoomCard key={room.id} room={room} workspace={workspace} />
        ))}
      </ul>
    </section>
  );
}

function needWords(visitType: string): string {
  const need = facilityNeedOf(visitType)!;
  const parts = [
    ...(need.roomKinds ?? []).map((kind) => `a ${roomKindLabels[kind].toLowerCase()}`),
    ...(need.equipment ?? []).map((name) => `the ${name}`),
  ];
  return parts.join(' and ');
}

function RoomCard({ room, workspace }: { room: Room; workspace: Workspace }) {
  const announce = useAnnounce();
  const timeZone = workspace.session.site.timezone;
  const today = useSiteToday(timeZone).date;
  const [error, setError] = useState<string | null>(null);
  const serves = Object.keys(visitTypeNeeds).filter((code) => roomFits(room, facilityNeedOf(code)!));

  async function run(work: () => Promise<unknown>, done: string) {
    try {
      await work();
      setError(null);
      announce(done);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <li className="room-card" data-testid="room" data-room-name={room.name}>
      <header className="room-card__header">
        <h2>{room.name}</h2>
        <span className="room-card__kind">{roomKindLabels[room.kind]}</span>
        <label className="field room-card__status">
          <span className="field__label">Room status</span>
          <select
            value={room.status}
            aria-label={`Status of ${room.name}`}
            onChange={(e) =>
              void run(
                () => setRoomStatus(workspace, room.id, e.target.value as Room['status']),
                `${room.name}: ${roomStatusLabels[e.target.value as Room['status']]}.`,
              )
            }
          >
            {roomStatuses.map((status) => (
              // "Occupied" follows from who is in the room (the queue sets it): shown, not chosen.
              <option key={status} value={status} disabled={status === 'occupied'}>
                {roomStatusLabels[status]}
              </option>
            ))}
          </select>
        </label>
      </header>
      {serves.length > 0 && (
        <p className="room-card__serves">Suitable for: {serves.map((code) => visitTypeLabel(code)).join(', ')}</p>
      )}
      {room.equipment.length === 0 ? (
        <p className="empty">No equipment listed.</p>
      ) : (
        <table className="room-card__equipment">
          <thead>
            <tr>
              <th scope="col">Equipment</th>
              <th scope="col">Status</th>
              <th scope="col">Planned maintenance</th>
            </tr>
          </thead>
          <tbody>
            {room.equipment.map((name) => {
              const state = equipmentStateOf(room, name);
              return (
                <tr key={name} data-testid="equipment" data-equipment-name={name}>
                  <th scope="row">{name}</th>
                  <td>
                    <select
                      value={state.status}
                      aria-label={`Status of the ${name} in ${room.name}`}
                      className={state.status === 'out-of-service' ? 'room-card__down' : undefined}
                      onChange={(e) =>
                        void run(
                          () =>
                            setEquipmentStatus(
                              workspace,
                              room.id,
                              name,
                              e.target.value as (typeof equipmentStatuses)[number],
                            ),
                          `${name}: ${equipmentStatusLabels[e.target.value as (typeof equipmentStatuses)[number]]}.`,
                        )
                      }
                    >
                      {equipmentStatuses.map((status) => (
                        <option key={status} value={status}>
                          {equipmentStatusLabels[status]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {state.maintenance.length === 0 ? (
                      <span className="empty">None</span>
                    ) : (
                      <ul className="room-card__windows">
                        {state.maintenance.map((w) => (
                          <li key={w.start} data-testid="maintenance">
                            {formatDay(new Date(w.start), timeZone)} {formatTimeOfDay(w.start, timeZone)}–
                            {formatTimeOfDay(w.end, timeZone)}
                            {w.reason && `: ${w.reason}`}{' '}
                            <button
                              type="button"
                              className="button button--quiet"
                              aria-label={`Cancel the ${name} maintenance on ${formatDay(new Date(w.start), timeZone)}`}
                              onClick={() =>
                                void run(
                                  () => cancelMaintenance(workspace, room.id, name, w.start),
                                  `Maintenance of the ${name} cancelled.`,
                                )
                              }
                            >
                              Cancel
                            </button>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {room.equipment.length > 0 && (
        <MaintenanceForm
          room={room}
          defaultDate={addDays(today, 1)}
          onPlan={(plan) =>
            run(
              () => planMaintenance(workspace, room.id, plan),
              `Maintenance of the ${plan.equipment} planned on ${plan.date}, ${plan.from}–${plan.to}.`,
            )
          }
        />
      )}
      {error && (
        <p role="alert" className="room-card__error">
          {error}
        </p>
      )}
    </li>
  );
}

function MaintenanceForm({
  room,
  defaultDate,
  onPlan,
}: {
  room: Room;
  defaultDate: string;
  onPlan: (plan: { equipment: string; date: string; from: string; to: string; reason: string }) => Promise<void>;
}) {
  const id = useId();
  const [equipment, setEquipment] = useState(room.equipment[0]!);
  const [date, setDate] = useState(defaultDate);
  const [from, setFrom] = useState('09:00');
  const [to, setTo] = useState('12:00');
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onPlan({ equipment, date, from, to, reason });
  };
  return (
    <form className="room-card__plan" onSubmit={submit} aria-label={`Plan maintenance in ${room.name}`}>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-equipment`}>
          Equipment
        </label>
        <select id={`${id}-equipment`} value={equipment} onChange={(e) => setEquipment(e.target.value)}>
          {room.equipment.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </div>
      <DayPicker label="Day" value={date} onChange={setDate} />
      <div className="field">
        <label className="field__label" htmlFor={`${id}-from`}>
          From
        </label>
        <input id={`${id}-from`} type="time" value={from} required onChange={(e) => setFrom(e.target.value)} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-to`}>
          To
        </label>
        <input id={`${id}-to`} type="time" value={to} required onChange={(e) => setTo(e.target.value)} />
      </div>
      <div className="field room-card__reason">
        <label className="field__label" htmlFor={`${id}-reason`}>
          Reason
        </label>
        <input id={`${id}-reason`} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button type="submit" className="button">
        Plan maintenance
      </button>
    </form>
  );
}
