import {
  calledEntries,
  orderQueue,
  roomUse,
  statusSince,
  type Appointment,
  type Patient,
  type Provider,
  type QueueEntry,
  type Room,
  type RoomUse,
  type Site,
} from '@medisync/shared/domain';
import { useMemo, useState } from 'react';
import type { RxDocument } from 'rxdb';
import { KeptObjects, shallowSame } from '../../shell/kept-objects.js';
import { plainDoc } from '../../shell/plain-doc.js';
import { useLiveQuery } from '../use-query.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';

/** Every entry of one day at one site, all queues and statuses: a clinic sees a few hundred. */
const MAX_ENTRIES_TODAY = 2000;
const MAX_ROOMS = 200;
const MAX_PROVIDERS = 200;
/** Done today is the end of the day's story: the latest few, with the count of all. */
export const DONE_SHOWN = 15;

export interface BoardEntry {
  entry: QueueEntry;
  patient: Patient | undefined;
  appointment: Appointment | undefined;
  provider: Provider | undefined;
  /** When the entry entered its status (ISO). */
  since: string;
}

export interface QueueBoardData {
  site: Site | undefined;
  /** The site's queues, reception first. */
  queues: string[];
  waiting: BoardEntry[];
  called: BoardEntry[];
  inRoom: BoardEntry[];
  /** The latest first, at most DONE_SHOWN. */
  done: BoardEntry[];
  doneCount: number;
  /** Every room of the site with who is in it, whatever queue they came from. */
  rooms: RoomUse<BoardEntry>[];
  /** The raw entries of the selected queue, for the domain's order rules. */
  entries: QueueEntry[];
  appointmentsById: Map<string, Appointment>;
  byId: Map<string, BoardEntry>;
}

/** The site's queues, reception first, and the site itself (for ticket prefixes). */
export function useSiteQueues(workspace: Workspace): { site: Site | undefined; queues: string[] } {
  const { db, session } = workspace;
  const siteId = session.site.id;
  const siteDocs = useLiveQuery(
    () => db.rx.sites.find({ selector: { id: siteId }, limit: 1 }),
    [db, siteId],
    [] as RxDocument<Site>[],
  );
  return useMemo(() => {
    const site = siteDocs[0] ? plainDoc(siteDocs[0]) : undefined;
    const queues = Object.keys(site?.queuePrefixes ?? { reception: 'A' }).sort((a, b) =>
      a === 'reception' ? -1 : b === 'reception' ? 1 : a.localeCompare(b),
    );
    return { site, queues };
  }, [siteDocs]);
}

/**
 * The queue board's data from the local replica: today's entries at the site
 * (one bounded query), their appointments, patients and providers by id, and
 * the site's rooms. Nothing waits for the network.
 */
export function useQueueBoard(workspace: Workspace, queue: string): QueueBoardData {
  const { db, session } = workspace;
  const siteId = session.site.id;
  const day = useSiteToday(session.site.timezone);

  const { site, queues } = useSiteQueues(workspace);
  const entryDocs = useLiveQuery(
    () =>
      db.rx.queueEntries.find({
        selector: { siteId, checkedInAt: { $gte: day.start, $lt: day.end } },
        sort: [{ checkedInAt: 'asc' }],
        limit: MAX_ENTRIES_TODAY,
      }),
    [db, siteId, day.start, day.end],
    [] as RxDocument<QueueEntry>[],
  );
  const roomDocs = useLiveQuery(
    () => db.rx.rooms.find({ selector: { siteId }, limit: MAX_ROOMS }),
    [db, siteId],
    [] as RxDocument<Room>[],
  );
  const providerDocs = useLiveQuery(
    () => db.rx.providers.find({ limit: MAX_PROVIDERS }),
    [db],
    [] as RxDocument<Provider>[],
  );

  const allEntries = useMemo(() => entryDocs.map(plainDoc), [entryDocs]);
  const appointmentIds = useMemo(
    () => [...new Set(allEntries.flatMap((e) => (e.appointmentId ? [e.appointmentId] : [])))].sort(),
    [allEntries],
  );
  const patientIds = useMemo(() => [...new Set(allEntries.map((e) => e.patientId))].sort(), [allEntries]);
  const appointmentDocs = useLiveQuery(
    () => db.rx.appointments.findByIds(appointmentIds),
    [db, appointmentIds.join()],
    new Map<string, RxDocument<Appointment>>(),
  );
  const patientDocs = useLiveQuery(
    () => db.rx.patients.findByIds(patientIds),
    [db, patientIds.join()],
    new Map<string, RxDocument<Patient>>(),
  );

  // A row keeps its object while nothing in it changes, so an action redraws its own card, not the board's.
  const [rows] = useState(() => new KeptObjects<BoardEntry>(shallowSame));
  return useMemo(() => {
    const appointmentsById = new Map([...appointmentDocs].map(([id, doc]) => [id, plainDoc(doc)]));
    const providersById = new Map(providerDocs.map((doc) => [doc.id, plainDoc(doc)]));
    const byId = new Map<string, BoardEntry>();
    for (const entry of allEntries) {
      const appointment = entry.appointmentId ? appointmentsById.get(entry.appointmentId) : undefined;
      const patientDoc = patientDocs.get(entry.patientId);
      byId.set(
        entry.id,
        rows.keep(entry.id, {
          entry,
          patient: patientDoc ? plainDoc(patientDoc) : undefined,
          appointment,
          provider: appointment ? providersById.get(appointment.providerId) : undefined,
          since: statusSince(entry),
        }),
      );
    }
    rows.done();
    const board = (entries: QueueEntry[]) => entries.map((entry) => byId.get(entry.id)!);
    const entries = allEntries.filter((entry) => entry.queue === queue);
    const inRoom = entries.filter((e) => e.status === 'in-room');
    const done = entries.filter((e) => e.status === 'done');
    const latestFirst = (a: BoardEntry, b: BoardEntry) => (a.since < b.since ? 1 : a.since > b.since ? -1 : 0);
    const rooms = roomUse(
      roomDocs.map(plainDoc).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })),
      [...byId.values()].map((b) => ({ ...b.entry, board: b })),
    ).map((use) => ({ ...use, occupant: use.occupant ? use.occupant.board : null }));
    return {
      site,
      queues,
      waiting: board(orderQueue(entries, { appointmentsById })),
      called: board(calledEntries(entries)),
      inRoom: board(inRoom).sort(latestFirst),
      done: board(done).sort(latestFirst).slice(0, DONE_SHOWN),
      doneCount: done.length,
      rooms,
      entries,
      appointmentsById,
      byId,
    };
  }, [rows, site, queues, allEntries, appointmentDocs, patientDocs, providerDocs, roomDocs, queue]);
}
