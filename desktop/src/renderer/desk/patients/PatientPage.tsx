import {
  findProbableDuplicates,
  mrnLabel,
  PatientMergeError,
  type Appointment,
  type DuplicateReason,
  type Patient,
  type PatientSearchKeys,
  type Provider,
  type QueueEntry,
} from '@medisync/shared/domain';
import { initialSyncState, mergePatients, undoMergePatients, type SyncSession } from '@medisync/shared/sync';
import { useMemo, useState } from 'react';
import { Button, Label, Radio, RadioGroup } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import type { RxDocument } from 'rxdb';
import { useAnnounce } from '../announcer.js';
import { bookingPaths } from '../booking/paths.js';
import { appointmentStatusLabel, queueStatusLabel, visitTypeLabel } from '../labels.js';
import { patientListName, patientSpokenName } from '../names.js';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { useObservable } from '../../shell/use-observable.js';
import { FormDialog } from '../shell/FormDialog.js';
import { deskPaths } from '../shell/paths.js';
import { PatientBilling } from '../billing/PatientBilling.js';
import { useLiveQuery } from '../use-query.js';
import { useSiteToday } from '../use-site-today.js';
import { canCheckIn, checkInVisit, failureMessage } from '../visit/visit-actions.js';
import { deskActor, type Workspace } from '../workspace.js';
import { ContactConsentCard } from '../notices/ContactConsentCard.js';
import { birthDateWithAge, languageName, sexLabels } from './format.js';
import { usePatientIndex } from './patient-index.js';
import { walkIn } from './patient-writes.js';
import { editPatientPath } from './paths.js';

/** Visits listed each way on a patient's page; older ones are in the records the clinic keeps elsewhere. */
const VISITS_SHOWN = 10;

const reasonWords: Record<DuplicateReason, string> = {
  'family-name-and-birth-date': 'same family name and birth date',
  phone: 'same phone',
};

/** A patient's page: who they are, how to reach them, their visits, and what the desk does next. */
export function PatientPage({ workspace, patientId }: { workspace: Workspace; patientId: string }) {
  const { db } = workspace;
  const doc = useLiveQuery(
    () => db.rx.patients.findOne(patientId),
    [db, patientId],
    undefined as RxDocument<Patient> | null | undefined,
  );
  if (doc === undefined) return <section className="patient" aria-busy="true" />;
  if (doc === null) {
    return (
      <section className="patient">
        <h1>Patient not found</h1>
        <p className="empty">
          This patient is not on this desk. They may still be arriving with the first sync, or the link is wrong.{' '}
          <Link to={deskPaths.patients()}>Find a patient</Link>
        </p>
      </section>
    );
  }
  return <PatientDetails workspace={workspace} patient={doc.toJSON() as Patient} />;
}

function PatientDetails({ workspace, patient }: { workspace: Workspace; patient: Patient }) {
  const today = useSiteToday(workspace.session.site.timezone);
  const announce = useAnnounce();
  const [ticket, setTicket] = useState<{ code: string; what: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(doing: string, step: () => Promise<{ code: string; what: string } | null>) {
    setBusy(true);
    setError(null);
    try {
      const shown = await step();
      if (shown) {
        setTicket(shown);
        announce(`${shown.what}: ticket ${shown.code}`);
      }
    } catch (failure) {
      setError(failureMessage(failure, doing));
    } finally {
      setBusy(false);
    }
  }

  const walkInNow = () =>
    run('The walk-in', async () => {
      const entry = await walkIn(workspace, patient.id);
      return { code: entry.ticketCode, what: `${patientSpokenName(patient)} is waiting as a walk-in` };
    });

  const checkIn = (appointment: Appointment) =>
    run('The check-in', async () => {
      const { entry } = await checkInVisit(workspace, appointment.id, today);
      return entry ? { code: entry.ticketCode, what: `Checked in ${patientSpokenName(patient)}` } : null;
    });

  const merged = patient.mergedInto !== null;
  // A patient already in a queue today gets no second ticket by a slip of the hand.
  const queuedToday = useLiveQuery(
    () =>
      workspace.db.rx.queueEntries.find({
        selector: {
          patientId: patient.id,
          checkedInAt: { $gte: today.start, $lt: today.end },
          status: { $in: ['waiting', 'called', 'in-room'] },
        },
        limit: 5,
      }),
    [workspace.db, patient.id, today.start, today.end],
    [] as RxDocument<QueueEntry>[],
  );
  const inQueue = queuedToday[0];

  return (
    <section className="patient" aria-labelledby="patient-title">
      <div className="patient__head">
        <div>
          <h1 id="patient-title">{patientListName(patient)}</h1>
          <p className="patient__identity">
            <span>born {birthDateWithAge(patient.dob, today.date)}</span>
            <span>{sexLabels[patient.sex]}</span>
            <span className={patient.mrn === null ? 'muted' : undefined} data-testid="patient-mrn">
              {mrnLabel(patient)}
            </span>
            {!patient.active && !merged && <span className="tag">inactive</span>}
          </p>
        </div>
        {!merged && (
          <div className="patient__actions">
            {inQueue ? (
              <p className="patient__queued" data-testid="patient-in-queue">
                In the queue: ticket {inQueue.ticketCode}, {queueStatusLabel(inQueue.status).toLowerCase()}
              </p>
            ) : (
              <Button className="button button--primary" onPress={walkInNow} isDisabled={busy}>
                Walk in now
              </Button>
            )}
            <Link className="button" to={bookingPaths.forPatient(patient.id)}>
              Book
            </Link>
            <Link className="button" to={editPatientPath(patient.id)}>
              Edit details
            </Link>
          </div>
        )}
      </div>

      {merged && <MergedNotice workspace={workspace} patient={patient} />}

      {ticket && (
        <div className="ticket" role="status" aria-label={`Ticket ${ticket.code}`}>
          <span className="ticket__label">Ticket</span>
          <span className="ticket__code" data-testid="ticket-code">
            {ticket.code}
          </span>
          <span className="ticket__what">{ticket.what}. Read the ticket to the patient.</span>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      {!merged && <Duplicates workspace={workspace} patient={patient} />}

      <div className="patient__columns">
        <ContactCard patient={patient} />
        <ContactConsentCard workspace={workspace} patient={patient} />
        <Visits workspace={workspace} patient={patient} onCheckIn={checkIn} busy={busy || merged} />
      </div>
      <PatientBilling workspace={workspace} patient={patient} />
    </section>
  );
}

function ContactCard({ patient }: { patient: Patient }) {
  const address = patient.address;
  return (
    <section className="card" aria-labelledby="contact-title">
      <h2 id="contact-title">Contact and insurance</h2>
      <dl className="facts">
        <dt>Phone</dt>
        <dd>{patient.phone ?? <Missing />}</dd>
        <dt>Email</dt>
        <dd>{patient.email ? <EmailAddress email={patient.email} /> : <Missing />}</dd>
        <dt>Address</dt>
        <dd>
          {address ? (
            <>
              {address.line1}
              {address.line2 && <>, {address.line2}</>}
              <br />
              {[address.postalCode, address.city, address.region].filter(Boolean).join(' ')}, {address.country}
            </>
          ) : (
            <Missing />
          )}
        </dd>
        <dt>Preferred language</dt>
        <dd>{languageName(patient.preferredLanguage)}</dd>
        <dt>Insurance</dt>
        <dd>
          {patient.insurance ? (
            <>
              {patient.insurance.payer}
              <br />
              member {patient.insurance.memberId}
              {patient.insurance.groupNumber && <>, group {patient.insurance.groupNumber}</>}
            </>
          ) : (
            <Missing what="No insurance on file" />
          )}
        </dd>
      </dl>
    </section>
  );
}

function Missing({ what = 'Not given' }: { what?: string }) {
  return <span className="muted">{what}</span>;
}

/** An email address that, when it must wrap, wraps after its @ rather than inside the domain. */
function EmailAddress({ email }: { email: string }) {
  const at = email.lastIndexOf('@');
  if (at < 0) return <>{email}</>;
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

function Visits({
  workspace,
  patient,
  onCheckIn,
  busy,
}: {
  workspace: Workspace;
  patient: Patient;
  onCheckIn: (appointment: Appointment) => void;
  busy: boolean;
}) {
  const { db } = workspace;
  const timeZone = workspace.session.site.timezone;
  const today = useSiteToday(timeZone);
  const upcomingDocs = useLiveQuery(
    () =>
      db.rx.appointments.find({
        selector: { patientId: patient.id, start: { $gte: today.start } },
        sort: [{ start: 'asc' }],
        limit: VISITS_SHOWN,
      }),
    [db, patient.id, today.start],
    [] as RxDocument<Appointment>[],
  );
  const pastDocs = useLiveQuery(
    () =>
      db.rx.appointments.find({
        selector: { patientId: patient.id, start: { $lt: today.start } },
        sort: [{ start: 'desc' }],
        limit: VISITS_SHOWN,
      }),
    [db, patient.id, today.start],
    [] as RxDocument<Appointment>[],
  );
  const entryDocs = useLiveQuery(
    () =>
      db.rx.queueEntries.find({
        selector: { patientId: patient.id, checkedInAt: { $gte: today.start, $lt: today.end } },
        sort: [{ checkedInAt: 'asc' }],
        limit: VISITS_SHOWN,
      }),
    [db, patient.id, today.start, today.end],
    [] as RxDocument<QueueEntry>[],
  );
  const upcoming = upcomingDocs.map((d) => d.toJSON() as Appointment);
  const past = pastDocs.map((d) => d.toJSON() as Appointment);
  const providerIds = [...new Set([...upcoming, ...past].map((a) => a.providerId))].sort();
  const providers = useLiveQuery(
    () => db.rx.providers.findByIds(providerIds),
    [db, providerIds.join()],
    new Map<string, RxDocument<Provider>>(),
  );
  const walkIns = entryDocs.map((d) => d.toJSON() as QueueEntry).filter((e) => e.appointmentId === null);

  const row = (appointment: Appointment) => {
    const isToday = appointment.start >= today.start && appointment.start < today.end;
    const provider = providers.get(appointment.providerId)?.displayName ?? 'Provider not on this desk';
    const when = isToday
      ? `Today ${formatTimeOfDay(appointment.start, timeZone)}`
      : `${formatDay(new Date(appointment.start), timeZone)} ${formatTimeOfDay(appointment.start, timeZone)}`;
    return (
      <li key={appointment.id} className="patient-visit">
        <span className="patient-visit__when">{when}</span>
        <span className="patient-visit__what">
          {visitTypeLabel(appointment.visitType)} with {provider}
        </span>
        <span className={`chip chip--${appointment.status}`}>{appointmentStatusLabel(appointment.status)}</span>
        {isToday && canCheckIn(appointment) && (
          <Button
            className="button button--primary"
            onPress={() => onCheckIn(appointment)}
            isDisabled={busy}
            aria-label={`Check in for ${when}`}
          >
            Check in
          </Button>
        )}
      </li>
    );
  };

  return (
    <section className="card" aria-labelledby="visits-title">
      <h2 id="visits-title">Visits</h2>
      {walkIns.length > 0 && (
        <>
          <h3>Walk-ins today</h3>
          <ul className="patient-visits">
            {walkIns.map((entry) => (
              <li key={entry.id} className="patient-visit">
                <span className="patient-visit__when">{formatTimeOfDay(entry.checkedInAt, timeZone)}</span>
                <span className="patient-visit__what">Ticket {entry.ticketCode}</span>
                <span className="chip">{queueStatusLabel(entry.status)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Upcoming</h3>
      {upcoming.length === 0 ? (
        <p className="empty">
          Nothing booked. <Link to={bookingPaths.forPatient(patient.id)}>Book a visit</Link>
        </p>
      ) : (
        <ul className="patient-visits">{upcoming.map(row)}</ul>
      )}
      <h3>Past</h3>
      {past.length === 0 ? (
        <p className="empty">No earlier visits on this desk.</p>
      ) : (
        <ul className="patient-visits">{past.map(row)}</ul>
      )}
      {past.length === VISITS_SHOWN && <p className="muted">The {VISITS_SHOWN} most recent visits are shown.</p>}
    </section>
  );
}

/**
 * Records that may be the same person: those the server flagged and those the
 * desk can see itself (same family name and birth date, or same phone), each
 * with the merge that keeps this record and every visit of both.
 */
function Duplicates({ workspace, patient }: { workspace: Workspace; patient: Patient }) {
  const { store, version } = usePatientIndex(workspace.db);
  const today = useSiteToday(workspace.session.site.timezone).date;
  const announce = useAnnounce();
  const navigate = useNavigate();
  const holds = useHoldsEveryVisit(workspace.sync);
  const [merging, setMerging] = useState<{ other: PatientSearchKeys; keep: 'this' | 'other' } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const found = useMemo(
    () =>
      findProbableDuplicates(patient, store.index.all(), (keys) => keys.identity, 50)
        // Families share a phone; on a patient's page only the same family name and birth date is worth a look.
        .filter((found) => found.reasons.includes('family-name-and-birth-date'))
        .slice(0, 5),
    // `version` changes whenever the replica's patients do.
    [store, patient, version],
  );
  if (found.length === 0) return null;

  async function merge(other: PatientSearchKeys, keepThis: boolean) {
    setError(null);
    const [kept, gone] = keepThis ? [patient, other] : [other, patient];
    try {
      const changes = await mergePatients(
        workspace.db,
        { keptId: kept.id, duplicateId: gone.id },
        deskActor(workspace),
      );
      const moved = changes.appointments.length + changes.queueEntries.length;
      announce(
        `Merged ${patientListName(gone)} into ${patientListName(kept)}; ${moved} visit${moved === 1 ? '' : 's'} moved`,
      );
      if (!keepThis) void navigate(deskPaths.patient(kept.id));
    } catch (failure) {
      setError(mergeFailure(failure, 'The merge'));
    } finally {
      setMerging(null);
    }
  }

  return (
    <section className="duplicates" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">Possibly the same person</h2>
      <ul>
        {found.map(({ patient: other, reasons }) => (
          <li key={other.id} className="duplicates__item">
            <span>
              <Link to={deskPaths.patient(other.id)}>{patientListName(other)}</Link>, born{' '}
              {birthDateWithAge(other.dob, today)}, {mrnLabel(other)}
              {other.phone && <>, {other.phone}</>}
              <span className="muted"> ({reasons.map((r) => reasonWords[r]).join(' and ')})</span>
            </span>
            <Button
              className="button"
              onPress={() => setMerging({ other, keep: 'this' })}
              isDisabled={!holds.ready}
              aria-describedby={holds.hint ? 'merge-wait' : undefined}
            >
              Merge the two records…
            </Button>
          </li>
        ))}
      </ul>
      {holds.hint && (
        <p id="merge-wait" className="muted">
          {holds.hint}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {merging && (
        <FormDialog
          title="Merge two records of one person"
          submitLabel="Merge records"
          cancelLabel="Keep them apart"
          onSubmit={() => void merge(merging.other, merging.keep === 'this')}
          onCancel={() => setMerging(null)}
        >
          <RadioGroup
            className="desk-field"
            value={merging.keep}
            onChange={(keep) => setMerging({ ...merging, keep: keep as 'this' | 'other' })}
          >
            <Label className="desk-field__label">Keep which record?</Label>
            <Radio value="this" className="radio-choice">
              {patientListName(patient)}, {mrnLabel(patient)} (this page)
            </Radio>
            <Radio value="other" className="radio-choice">
              {patientListName(merging.other)}, {mrnLabel(merging.other)}
            </Radio>
          </RadioGroup>
          <p>
            Every appointment and queue ticket of the other record moves to the one kept; the other record stays on
            file, inactive, and an admin can undo the merge.
          </p>
        </FormDialog>
      )}
    </section>
  );
}

/**
 * A merge moves every visit the device holds. Until the first sync has brought
 * the whole history, some visits may not be here yet and would be left behind,
 * so merging and undoing wait for it.
 */
function useHoldsEveryVisit(sync: SyncSession): { ready: boolean; hint: string | null } {
  const state = useObservable(sync.state$, sync.state ?? initialSyncState);
  if (state.firstSync.complete) return { ready: true, hint: null };
  return {
    ready: false,
    hint: `Merging waits until this desk has every visit (first sync ${Math.round(state.firstSync.progress * 100)}%).`,
  };
}

/** The merge rule's own words ("only an admin can undo a merge"), else the desk's usual message. */
function mergeFailure(failure: unknown, doing: string): string {
  return failure instanceof PatientMergeError ? failure.message : failureMessage(failure, doing);
}

/** A record merged into another: where its visits went, and the admin's undo. */
function MergedNotice({ workspace, patient }: { workspace: Workspace; patient: Patient }) {
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const isAdmin = workspace.session.user.role === 'admin';
  const holds = useHoldsEveryVisit(workspace.sync);
  const moved = (patient.mergeRecord?.appointmentIds.length ?? 0) + (patient.mergeRecord?.queueEntryIds.length ?? 0);

  async function undo() {
    setError(null);
    try {
      await undoMergePatients(workspace.db, patient.id, deskActor(workspace));
      announce(`Merge undone; ${patientSpokenName(patient)} is a record of their own again`);
    } catch (failure) {
      setError(mergeFailure(failure, 'Undoing the merge'));
    }
  }

  return (
    <div className="notice" role="note">
      <p>
        This record was merged into <Link to={deskPaths.patient(patient.mergedInto!)}>the patient it duplicated</Link>
        {patient.mergeRecord && <>; {moved} visits moved there</>}. Use that record from now on.
      </p>
      {isAdmin && patient.mergeRecord && (
        <>
          <Button className="button" onPress={() => void undo()} isDisabled={!holds.ready}>
            Undo the merge
          </Button>
          {holds.hint && <p className="muted">{holds.hint}</p>}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
