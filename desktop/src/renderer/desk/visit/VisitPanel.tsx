import {
  changeRecord,
  mrnLabel,
  type Appointment,
  type Patient,
  type Provider,
  type QueueEntry,
} from '@medisync/shared/domain';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { map } from 'rxjs';
import type { RxDocument } from 'rxdb';
import { plainDoc } from '../../shell/plain-doc.js';
import { useObservable } from '../../shell/use-observable.js';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { VisitBilling } from '../billing/VisitBilling.js';
import {
  appointmentStatusLabel,
  birthDateLabel,
  checkInSourceLabel,
  queueStatusLabel,
  visitTypeLabel,
} from '../labels.js';
import { patientListName, patientSpokenName } from '../names.js';
import { deskPaths } from '../shell/paths.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import { CheckInChecklist, type ChecklistOutcome } from './CheckInChecklist.js';
import { canCheckIn, checkInVisit, failureMessage, undoDescription, undoVisitStep } from './visit-actions.js';

const MAX_DAY_ENTRIES = 20;

/**
 * The visit in hand, sliding in from the right over the screen it was opened
 * from: who the patient is, the booking, the check-in checklist, and once
 * checked in the ticket, large enough to read aloud. Esc closes it.
 */
export function VisitPanel({
  workspace,
  appointmentId,
  onClose,
}: {
  workspace: Workspace;
  appointmentId: string;
  onClose: () => void;
}) {
  const { db, session } = workspace;
  const timeZone = session.site.timezone;
  const today = useSiteToday(timeZone);
  const announce = useAnnounce();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const appointment$ = useMemo(
    () =>
      db.rx.appointments
        .findOne(appointmentId)
        .$.pipe(map((doc: RxDocument<Appointment> | null) => (doc ? plainDoc(doc) : null))),
    [db, appointmentId],
  );
  const appointment = useObservable<Appointment | null | undefined>(appointment$, undefined);
  const patientId = appointment?.patientId ?? null;
  const providerId = appointment?.providerId ?? null;
  const patient$ = useMemo(
    () =>
      patientId === null
        ? null
        : db.rx.patients
            .findOne(patientId)
            .$.pipe(map((doc: RxDocument<Patient> | null) => (doc ? plainDoc(doc) : null))),
    [db, patientId],
  );
  const patient = useObservable<Patient | null>(patient$, null);
  const provider$ = useMemo(
    () =>
      providerId === null
        ? null
        : db.rx.providers
            .findOne(providerId)
            .$.pipe(map((doc: RxDocument<Provider> | null) => (doc ? plainDoc(doc) : null))),
    [db, providerId],
  );
  const provider = useObservable<Provider | null>(provider$, null);
  const isToday = appointment ? appointment.start >= today.start && appointment.start < today.end : false;
  const entry$ = useMemo(
    () =>
      !isToday
        ? null
        : db.rx.queueEntries
            .find({
              selector: {
                siteId: session.site.id,
                checkedInAt: { $gte: today.start, $lt: today.end },
                appointmentId,
              },
              sort: [{ checkedInAt: 'asc' }],
              limit: MAX_DAY_ENTRIES,
            })
            .$.pipe(
              map((docs: RxDocument<QueueEntry>[]) => {
                const last = docs.at(-1);
                return last ? plainDoc(last) : null;
              }),
            ),
    [db, session.site.id, today.start, today.end, appointmentId, isToday],
  );
  const entry = useObservable<QueueEntry | null>(entry$, null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"]')) return;
      event.preventDefault();
      onClose();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  async function checkIn(outcome: ChecklistOutcome) {
    if (!appointment) return;
    setBusy(true);
    setError(null);
    try {
      const result = await checkInVisit(workspace, appointment.id, today);
      // A skipped step is worth a line in the visit's notes when the receptionist said why.
      if (outcome.skipped.length > 0 && outcome.reason) {
        const time = formatTimeOfDay(new Date().toISOString(), timeZone);
        const line = `Check-in ${time}: ${outcome.skipped.join('; ')} (${outcome.reason}).`;
        const notes = result.appointment.notes ? `${result.appointment.notes}\n${line}` : line;
        await db.save(
          'appointments',
          changeRecord('appointments', result.appointment, { notes: notes.slice(-4000) }, db.clock),
        );
      }
      const start = formatTimeOfDay(appointment.start, timeZone);
      announce(
        `Checked in ${patientSpokenName(patient ?? undefined)} for ${start}${result.entry ? `, ticket ${result.entry.ticketCode}` : ''}`,
      );
    } catch (failure) {
      setError(failureMessage(failure, 'The check-in'));
    } finally {
      setBusy(false);
    }
  }

  async function undo() {
    if (!appointment) return;
    setBusy(true);
    setError(null);
    try {
      const { to } = await undoVisitStep(workspace, appointment.id, today);
      announce(`Undone: ${patientSpokenName(patient ?? undefined)} is ${to === 'booked' ? 'booked again' : to}`);
    } catch (failure) {
      setError(failureMessage(failure, 'The undo'));
    } finally {
      setBusy(false);
    }
  }

  const undoLabel = appointment && isToday ? undoDescription(appointment) : null;
  const ticketShown = entry && appointment && (appointment.status === 'checked-in' || appointment.status === 'arrived');

  return (
    <aside
      className="visit-panel"
      aria-labelledby="visit-panel-title"
      data-testid="visit-panel"
      data-appointment-id={appointmentId}
    >
      <div className="visit-panel__head">
        <h2 id="visit-panel-title" ref={headingRef} tabIndex={-1}>
          {appointment === null ? 'Visit not found' : patientListName(patient ?? undefined)}
        </h2>
        <button type="button" className="button button--quiet" onClick={onClose} aria-keyshortcuts="Escape">
          Close<span className="visually-hidden"> the visit panel</span>
        </button>
      </div>
      {appointment === null && <p>This visit is not on this device. It may have been removed on another desk.</p>}
      {appointment && (
        <>
          <dl className="visit-facts">
            <div>
              <dt>When</dt>
              <dd>
                {formatDay(new Date(appointment.start), timeZone)}, {formatTimeOfDay(appointment.start, timeZone)}–
                {formatTimeOfDay(appointment.end, timeZone)}
              </dd>
            </div>
            <div>
              <dt>Visit</dt>
              <dd>
                {visitTypeLabel(appointment.visitType)}
                {provider ? ` with ${provider.displayName}` : ''}
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="visit-status">
                {appointmentStatusLabel(appointment.status)}
                {appointment.checkedInAt && ` · checked in at ${formatTimeOfDay(appointment.checkedInAt, timeZone)}`}
                {appointment.checkInSource && ` ${checkInSourceLabel(appointment.checkInSource)}`}
                {entry && ticketShown && ` · ${queueStatusLabel(entry.status)}`}
              </dd>
            </div>
            {patient && (
              <div>
                <dt>Patient</dt>
                <dd>
                  Born {birthDateLabel(patient.dob, today.date)} · {mrnLabel(patient)} ·{' '}
                  <Link to={deskPaths.patient(patient.id)}>Open patient</Link>
                </dd>
              </div>
            )}
            {appointment.notes && (
              <div>
                <dt>Notes</dt>
                <dd className="visit-facts__notes">{appointment.notes}</dd>
              </div>
            )}
          </dl>

          {ticketShown && (
            <div className="visit-ticket" role="status" data-testid="ticket-panel">
              <span className="visit-ticket__label">Ticket</span>
              <strong className="visit-ticket__code" data-testid="ticket-code">
                {entry.ticketCode}
              </strong>
              <span className="visit-ticket__hint">
                Read it to the patient: “your ticket is {entry.ticketCode.split('').join(' ').replace(/ - /g, ', ')}”.
              </span>
            </div>
          )}

          {isToday && canCheckIn(appointment) && (
            <CheckInChecklist patient={patient} busy={busy} onCheckIn={(outcome) => void checkIn(outcome)} />
          )}
          {!isToday && (
            <p className="empty">
              {appointment.start < today.start
                ? 'A past visit: read-only.'
                : 'An upcoming visit: check-in opens on the day.'}
            </p>
          )}

          {error && (
            <p className="inline-error" role="alert">
              {error}
            </p>
          )}
          <VisitBilling workspace={workspace} appointment={appointment} patient={patient} />
          {undoLabel && (
            <div className="visit-panel__actions">
              <button
                type="button"
                className="button"
                onClick={() => void undo()}
                disabled={busy}
                aria-keyshortcuts="U"
              >
                {undoLabel}
              </button>
            </div>
          )}
        </>
      )}
    </aside>
  );
}
