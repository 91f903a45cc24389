import {
  calledEntries,
  orderQueue,
  type Appointment,
  type Patient,
  type QueueEntry,
  type Room,
} from '@medisync/shared/domain';
import { useMemo, useState } from 'react';
import type { RxDocument } from 'rxdb';
import { formatTimeOfDay } from '../shell/time.js';
import { patientListName } from './names.js';
import { useLiveQuery } from './use-query.js';
import { useSiteToday } from './use-site-today.js';
import type { Workspace } from './workspace.js';

const PAGE_SIZE = 50;
/** Open entries of one day at one site; the order is computed over all of them, then paged. */
const MAX_OPEN_ENTRIES = 1000;
const MAX_ROOMS = 200;
const OPEN_STATUSES: QueueEntry['status'][] = ['waiting', 'called'];

/**
 * Who has been called (latest first) and who is waiting today, in the derived
 * queue order every replica agrees on (shared/domain `orderQueue`: priority,
 * then appointment time for early arrivals, then check-in time).
 */
export function QueueView({ workspace }: { workspace: Workspace }) {
  const { db, session } = workspace;
  const timeZone = session.site.timezone;
  const day = useSiteToday(timeZone);
  const [limit, setLimit] = useState(PAGE_SIZE);
  const docs = useLiveQuery(
    () =>
      db.rx.queueEntries.find({
        selector: {
          siteId: session.site.id,
          checkedInAt: { $gte: day.start, $lt: day.end },
          status: { $in: OPEN_STATUSES },
        },
        sort: [{ checkedInAt: 'asc' }],
        limit: MAX_OPEN_ENTRIES,
      }),
    [db, session.site.id, day.start, day.end],
    [] as RxDocument<QueueEntry>[],
  );
  const appointmentIds = [...new Set(docs.flatMap((doc) => (doc.appointmentId ? [doc.appointmentId] : [])))].sort();
  const appointments = useLiveQuery(
    () => db.rx.appointments.findByIds(appointmentIds),
    [db, appointmentIds.join()],
    new Map<string, RxDocument<Appointment>>(),
  );
  const ordered = useMemo(
    () => [...calledEntries(docs), ...orderQueue(docs, { appointmentsById: appointments })],
    [docs, appointments],
  );
  const page = ordered.slice(0, limit);
  const patientIds = [...new Set(page.map((doc) => doc.patientId))].sort();
  const patients = useLiveQuery(
    () => db.rx.patients.findByIds(patientIds),
    [db, patientIds.join()],
    new Map<string, RxDocument<Patient>>(),
  );
  const rooms = useLiveQuery(() => db.rx.rooms.find({ limit: MAX_ROOMS }), [db], [] as RxDocument<Room>[]);
  const roomName = (id: string | null) => (id === null ? '' : (rooms.find((room) => room.id === id)?.name ?? ''));

  return (
    <section className="queue" aria-labelledby="queue-title">
      <h2 id="queue-title">Queue</h2>
      {page.length === 0 ? (
        <p className="empty">Nobody is waiting.</p>
      ) : (
        <table className="queue__table">
          <caption className="visually-hidden">Patients waiting or called today</caption>
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Patient</th>
              <th scope="col">Status</th>
              <th scope="col">Checked in</th>
              <th scope="col">Room</th>
            </tr>
          </thead>
          <tbody>
            {page.map((doc) => (
              <tr key={doc.id} data-testid="queue-entry">
                <th scope="row">{doc.ticketCode}</th>
                <td>{patientListName(patients.get(doc.patientId))}</td>
                <td>
                  {doc.status === 'called' ? 'Called' : 'Waiting'}
                  {doc.priority !== 'normal' && <span className="badge">{doc.priority}</span>}
                </td>
                <td>
                  <time dateTime={doc.checkedInAt}>{formatTimeOfDay(doc.checkedInAt, timeZone)}</time>
                </td>
                <td>{roomName(doc.roomId)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ordered.length > limit && (
        <button type="button" className="button" onClick={() => setLimit((n) => n + PAGE_SIZE)}>
          Show more
        </button>
      )}
    </section>
  );
}
