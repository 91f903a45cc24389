import {
  DomainError,
  transitionRecord,
  type Appointment,
  type Patient,
  type Provider,
  type Site,
} from '@medisync/shared/domain';
import { queueArrival } from '@medisync/shared/sync';
import { useId, useMemo, useState } from 'react';
import type { RxDocument } from 'rxdb';
import { formatDay, formatTimeOfDay } from '../shell/time.js';
import { useAnnounce } from './announcer.js';
import { patientListName, patientSpokenName } from './names.js';
import { useLiveQuery } from './use-query.js';
import { useSiteToday, type SiteDay } from './use-site-today.js';
import type { Workspace } from './workspace.js';

const PAGE_SIZE = 25;
const MAX_PROVIDERS = 100;
const CHECK_IN_FROM: readonly Appointment['status'][] = ['booked', 'noshow'];

/** Today's appointments at the site, one column per provider. Each column pages on its own. */
export function TodayView({ workspace }: { workspace: Workspace }) {
  const { db, session } = workspace;
  const day = useSiteToday(session.site.timezone);
  const providerDocs = useLiveQuery(
    () => db.rx.providers.find({ limit: MAX_PROVIDERS }),
    [db],
    [] as RxDocument<Provider>[],
  );
  const providers = useMemo(
    () =>
      providerDocs
        .map((doc) => doc.toJSON() as Provider)
        .filter((p) => p.active && p.siteIds.includes(session.site.id))
        .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    [providerDocs, session.site.id],
  );

  return (
    <section className="today" aria-labelledby="today-title">
      <h2 id="today-title">
        Today <span className="today__date">{formatDay(new Date(`${day.date}T12:00:00Z`), 'UTC')}</span>
      </h2>
      {providers.length === 0 ? (
        <p className="empty">No providers yet. Today&apos;s schedule appears as soon as the first sync brings it.</p>
      ) : (
        <div className="schedule">
          {providers.map((provider) => (
            <ProviderSchedule key={provider.id} provider={provider} day={day} workspace={workspace} />
          ))}
        </div>
      )}
    </section>
  );
}

function ProviderSchedule({ provider, day, workspace }: { provider: Provider; day: SiteDay; workspace: Workspace }) {
  const { db, session } = workspace;
  const headingId = useId();
  const [limit, setLimit] = useState(PAGE_SIZE);
  // One more than the page shows, to know whether there is a next page.
  const docs = useLiveQuery(
    () =>
      db.rx.appointments.find({
        selector: { providerId: provider.id, siteId: session.site.id, start: { $gte: day.start, $lt: day.end } },
        sort: [{ start: 'asc' }],
        limit: limit + 1,
      }),
    [db, provider.id, session.site.id, day.start, day.end, limit],
    [] as RxDocument<Appointment>[],
  );
  const page = docs.slice(0, limit);
  const patientIds = [...new Set(page.map((doc) => doc.patientId))].sort();
  const patients = useLiveQuery(
    () => db.rx.patients.findByIds(patientIds),
    [db, patientIds.join()],
    new Map<string, RxDocument<Patient>>(),
  );

  return (
    <section className="provider" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {provider.displayName}
        {provider.specialty && <span className="provider__specialty">{provider.specialty}</span>}
      </h3>
      {page.length === 0 ? (
        <p className="empty">No appointments today.</p>
      ) : (
        <ol className="appointments">
          {page.map((doc) => (
            <AppointmentRow key={doc.id} doc={doc} patient={patients.get(doc.patientId)} workspace={workspace} />
          ))}
        </ol>
      )}
      {docs.length > limit && (
        <button type="button" className="button" onClick={() => setLimit((n) => n + PAGE_SIZE)}>
          Show more appointments for {provider.displayName}
        </button>
      )}
    </section>
  );
}

function AppointmentRow({
  doc,
  patient,
  workspace,
}: {
  doc: RxDocument<Appointment>;
  patient: RxDocument<Patient> | undefined;
  workspace: Workspace;
}) {
  const { db, session } = workspace;
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const timeZone = session.site.timezone;
  const start = formatTimeOfDay(doc.start, timeZone);
  const name = patientListName(patient);

  async function checkIn() {
    setError(null);
    try {
      const current = doc.getLatest().toJSON() as Appointment;
      const actor = {
        id: session.user.id,
        role: session.user.role === 'admin' ? 'admin' : 'desk',
        source: 'desk',
      } as const;
      const next = transitionRecord('appointments', current, 'checked-in', db.clock, actor);
      // Local writes: they never wait for the network and sync when they can.
      await db.save('appointments', next);
      const site = (await db.rx.sites.findOne(current.siteId).exec())?.toJSON() as Site | undefined;
      const entry = site
        ? await queueArrival(
            db,
            workspace.tickets,
            site,
            { appointmentId: current.id, patientId: current.patientId },
            actor,
          )
        : null;
      announce(`Checked in ${patientSpokenName(patient)} for ${start}${entry ? `, ticket ${entry.ticketCode}` : ''}`);
    } catch (failure) {
      setError(failure instanceof DomainError ? failure.message : 'Check-in could not be saved on this device.');
    }
  }

  return (
    <li className={`appointment appointment--${doc.status}`} data-testid="appointment" data-appointment-id={doc.id}>
      <time dateTime={doc.start} className="appointment__time">
        {start}
      </time>
      <span className="appointment__patient">{name}</span>
      <span className="appointment__visit">{doc.visitType}</span>
      <span className="appointment__status" data-testid="appointment-status">
        {statusLabel(doc, timeZone)}
      </span>
      {CHECK_IN_FROM.includes(doc.status) && (
        <button
          type="button"
          className="button button--primary"
          onClick={checkIn}
          aria-label={`Check in ${name} at ${start}`}
        >
          Check in
        </button>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </li>
  );
}

function statusLabel(doc: RxDocument<Appointment>, timeZone: string): string {
  switch (doc.status) {
    case 'checked-in':
    case 'arrived':
      return doc.checkedInAt ? `Checked in ${formatTimeOfDay(doc.checkedInAt, timeZone)}` : 'Checked in';
    case 'booked':
      return 'Booked';
    case 'noshow':
      return 'No-show';
    case 'fulfilled':
      return 'Seen';
    case 'cancelled':
      return 'Cancelled';
    default:
      return doc.status;
  }
}
