import {
  addDays,
  orderWaitlist,
  waitlistedAt,
  hlcToIso,
  localDateAt,
  type Appointment,
  type Patient,
} from '@medisync/shared/domain';
import { parseDate } from '@internationalized/date';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  DateInput,
  DatePicker,
  DateSegment,
  Dialog,
  Group,
  Heading,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
} from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import type { RxDocument } from 'rxdb';
import { formatDay, formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { appointmentStatusLabel, visitTypeLabel, visitTypeLabels } from '../labels.js';
import { patientListName } from '../names.js';
import { useNow } from '../shell/use-now.js';
import { deskPaths } from '../shell/paths.js';
import { isTyping } from '../shell/shortcuts.js';
import { useLiveQuery } from '../use-query.js';
import { useSiteToday } from '../use-site-today.js';
import type { Workspace } from '../workspace.js';
import {
  acceptWaitlistOffer,
  describeBookingFailure,
  findWaitlistOffer,
  rescheduleAppointmentLocally,
  saveBooking,
  saveCancellation,
  saveWaitlistEntry,
  type WaitlistOffer,
} from './booking-writes.js';
import { CancelDialog } from './CancelDialog.js';
import { PatientPicker } from './PatientPicker.js';
import { SlotGrid } from './SlotGrid.js';
import { useBookingDay, type DaySlot } from './use-booking-day.js';
import './booking.css';

const FIRST_AVAILABLE = 'any';
/** Codes the desk books for; walk-ins are registered at the door, not booked ahead. */
const BOOKABLE_VISIT_TYPES = Object.keys(visitTypeLabels).filter(
  (code) => code !== 'walk-in' && code !== 'appointment',
);
const DEFAULT_VISIT_TYPE = 'follow-up';
/** How far ahead a waitlisted patient can come, from the day shown. */
const WAITLIST_DAYS = 14;
const MAX_UPCOMING = 20;
const MAX_WAITLIST = 50;
const WAITLIST_LOOKBACK_MS = 60 * 86_400_000;

type Outcome = { kind: 'done'; text: string; date: string } | { kind: 'error'; text: string } | null;

/**
 * Book, reschedule and cancel appointments, and keep the waitlist. Everything
 * reads and writes the local replica, so the desk books offline too.
 *
 * URL: `?patient=<id>` books for that patient, `?reschedule=<appointmentId>`
 * moves that appointment, `?provider=<id>` (or `any`), `?type=<visit type>` and
 * `?date=YYYY-MM-DD` keep the choices across a reload. (Not `?visit=`: that
 * opens the visit panel over any screen, shell/paths.ts.)
 */
export function BookScreen({ workspace }: { workspace: Workspace }) {
  const { db, session } = workspace;
  const timeZone = session.site.timezone;
  const announce = useAnnounce();
  const today = useSiteToday(timeZone);
  const now = new Date(useNow(30_000));
  const [params, setParams] = useSearchParams();
  const rescheduleId = params.get('reschedule');
  const date = validDate(params.get('date')) ?? today.date;

  const rescheduleDoc = useLiveQuery(
    () => (rescheduleId ? db.rx.appointments.findOne(rescheduleId) : null),
    [db, rescheduleId],
    null as RxDocument<Appointment> | null,
  );
  const rescheduling = rescheduleId && rescheduleDoc ? (rescheduleDoc.toJSON() as Appointment) : null;
  const patientId = rescheduling?.patientId ?? params.get('patient');
  const providerParam = params.get('provider') ?? rescheduling?.providerId ?? FIRST_AVAILABLE;
  const providerId = providerParam === FIRST_AVAILABLE ? null : providerParam;
  const visitType = rescheduling?.visitType ?? params.get('type') ?? DEFAULT_VISIT_TYPE;

  const patientDoc = useLiveQuery(
    () => (patientId ? db.rx.patients.findOne(patientId) : null),
    [db, patientId],
    null as RxDocument<Patient> | null,
  );
  const patient = patientId && patientDoc ? (patientDoc.toJSON() as Patient) : null;

  const day = useBookingDay(workspace, date, providerId, now, visitType);
  const provider = providerId ? (day.providerById.get(providerId) ?? null) : null;

  const upcomingDocs = useLiveQuery(
    () =>
      patientId
        ? db.rx.appointments.find({
            selector: { patientId, start: { $gte: today.start } },
            sort: [{ start: 'asc' }],
            limit: MAX_UPCOMING,
          })
        : null,
    [db, patientId, today.start],
    [] as RxDocument<Appointment>[],
  );
  const upcoming = useMemo(
    () =>
      upcomingDocs
        .map((doc) => doc.toJSON() as Appointment)
        .filter((a) => a.status !== 'cancelled' && a.status !== 'entered-in-error'),
    [upcomingDocs],
  );

  const waitlistDocs = useLiveQuery(
    () =>
      providerId
        ? db.rx.appointments.find({
            selector: {
              providerId,
              start: { $gte: new Date(Date.parse(today.start) - WAITLIST_LOOKBACK_MS).toISOString() },
              status: 'waitlist',
            },
            limit: MAX_WAITLIST,
          })
        : null,
    [db, providerId, today.start],
    [] as RxDocument<Appointment>[],
  );
  const waitlist = useMemo(
    () =>
      orderWaitlist(waitlistDocs.map((doc) => doc.toJSON() as Appointment).filter((a) => a.visitType === visitType)),
    [waitlistDocs, visitType],
  );

  const patientIds = [
    ...new Set([
      ...day.slots.flatMap((s) => (s.takenBy ? [s.takenBy.patientId] : [])),
      ...waitlist.map((w) => w.patientId),
    ]),
  ].sort();
  const patientDocs = useLiveQuery(
    () => db.rx.patients.findByIds(patientIds),
    [db, patientIds.join()],
    new Map<string, RxDocument<Patient>>(),
  );
  const patients = useMemo(
    () => new Map([...patientDocs].map(([id, doc]) => [id, doc.toJSON() as Patient])),
    [patientDocs],
  );

  const [selected, setSelected] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [cancelling, setCancelling] = useState<Appointment | null>(null);
  const [offer, setOffer] = useState<WaitlistOffer | null>(null);
  const [skipped, setSkipped] = useState<ReadonlySet<string>>(new Set());
  const patientFieldRef = useRef<HTMLDivElement>(null);

  function update(changes: Record<string, string | null>) {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );
  }

  function setDate(next: string) {
    setSelected(null);
    update({ date: next === today.date ? null : next });
  }

  // [ and ] step through days, as on Today.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === '[' || event.key === ']') {
        event.preventDefault();
        setDate(addDays(date, event.key === '[' ? -1 : 1));
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  });

  const whenText = (appointment: Pick<Appointment, 'start'>) =>
    `${formatDay(new Date(appointment.start), timeZone)} ${formatTimeOfDay(appointment.start, timeZone)}`;
  const providerName = (id: string) => day.providerById.get(id)?.displayName ?? 'the provider';

  function report(next: Outcome) {
    setOutcome(next);
    if (next) announce(next.text);
  }

  async function book(slot: DaySlot) {
    if (slot.past || slot.noRoom) return;
    const where = `${whenText(slot)} with ${providerName(slot.providerId)}`;
    try {
      if (rescheduling) {
        const moved = await rescheduleAppointmentLocally(workspace, rescheduling.id, slot);
        setSelected(null);
        report({ kind: 'done', text: `Moved ${patientListName(patient ?? undefined)} to ${where}.`, date });
        update({ reschedule: null, patient: moved.patientId });
        return;
      }
      if (!patient) {
        report({ kind: 'error', text: 'Choose the patient first, then the slot.' });
        patientFieldRef.current?.querySelector('input')?.focus();
        return;
      }
      await saveBooking(workspace, {
        patientId: patient.id,
        providerId: slot.providerId,
        start: slot.start,
        end: slot.end,
        visitType,
      });
      setSelected(null);
      report({
        kind: 'done',
        text: `Booked ${patientListName(patient)} for ${visitTypeLabel(visitType)} on ${where}.`,
        date,
      });
    } catch (failure) {
      report({ kind: 'error', text: await describeBookingFailure(workspace, failure) });
    }
  }

  async function cancel(appointment: Appointment, reason: string): Promise<string | null> {
    let cancelled: Appointment;
    try {
      cancelled = await saveCancellation(workspace, appointment.id, reason);
    } catch (failure) {
      return describeBookingFailure(workspace, failure);
    }
    report({
      kind: 'done',
      text: `Cancelled ${patientListName(patient ?? undefined)}'s ${visitTypeLabel(appointment.visitType)} on ${whenText(appointment)}.`,
      date,
    });
    if (rescheduling?.id === appointment.id) update({ reschedule: null, patient: appointment.patientId });
    // The dialog closes at once; the waitlist is asked who is next meanwhile.
    if (appointment.status !== 'waitlist') void offerFreedSlot(cancelled);
    return null;
  }

  async function offerFreedSlot(cancelled: Appointment) {
    const next = await findWaitlistOffer(workspace, cancelled).catch(() => null);
    setSkipped(new Set());
    setOffer(next);
    if (next) announce(`The freed slot can go to ${patientListName(next.patient ?? undefined)} from the waitlist.`);
  }

  async function acceptOffer(current: WaitlistOffer) {
    try {
      await acceptWaitlistOffer(workspace, current);
      setOffer(null);
      report({
        kind: 'done',
        text: `Booked ${patientListName(current.patient ?? undefined)} from the waitlist on ${whenText(current.freed)} with ${providerName(current.freed.providerId)}.`,
        date,
      });
    } catch (failure) {
      report({ kind: 'error', text: await describeBookingFailure(workspace, failure) });
    }
  }

  async function skipOffer(current: WaitlistOffer) {
    const nextSkipped = new Set([...skipped, current.entry.id]);
    setSkipped(nextSkipped);
    const cancelled = { ...current.entry, ...current.freed };
    setOffer(await findWaitlistOffer(workspace, cancelled, nextSkipped));
  }

  async function addToWaitlist() {
    if (!patient || !providerId) return;
    try {
      await saveWaitlistEntry(workspace, {
        patientId: patient.id,
        providerId,
        visitType,
        fromDate: date,
        toDate: addDays(date, WAITLIST_DAYS - 1),
      });
      report({
        kind: 'done',
        text: `Added ${patientListName(patient)} to the waitlist for ${providerName(providerId)}, ${visitTypeLabel(visitType)}.`,
        date,
      });
    } catch (failure) {
      report({ kind: 'error', text: await describeBookingFailure(workspace, failure) });
    }
  }

  const dayLabel = formatDay(new Date(`${date}T12:00:00Z`), 'UTC');
  const slotsLabel = `${provider ? provider.displayName : 'First available'}, ${dayLabel}`;
  const freeCount = day.slots.filter((s) => !s.past && !s.takenBy && !s.noRoom).length;

  return (
    <section className="book" aria-labelledby="book-heading">
      <h1 id="book-heading">{rescheduling ? 'Reschedule' : 'Book'}</h1>

      {rescheduling && (
        <div className="book__rescheduling notice" role="region" aria-label="Rescheduling">
          <p>
            Moving {patientListName(patient ?? undefined)}&apos;s {visitTypeLabel(rescheduling.visitType)} from{' '}
            <strong>
              {whenText(rescheduling)} with {providerName(rescheduling.providerId)}
            </strong>
            . Pick the new slot and press Enter.
          </p>
          <div className="book__row">
            <Button className="button" onPress={() => setCancelling(rescheduling)}>
              Cancel it instead…
            </Button>
            <Button className="button button--quiet" onPress={() => update({ reschedule: null, patient: patientId })}>
              Stop rescheduling
            </Button>
          </div>
        </div>
      )}

      <div className="book__choices" ref={patientFieldRef}>
        <PatientPicker
          workspace={workspace}
          patient={patient}
          isDisabled={rescheduling !== null}
          onChange={(id) => {
            setOutcome(null);
            update({ patient: id });
          }}
        />
        <Select
          className="field"
          value={providerParam}
          onChange={(key) => {
            setSelected(null);
            update({ provider: key === null || key === FIRST_AVAILABLE ? null : String(key) });
          }}
        >
          <Label>Provider</Label>
          <Button className="field__button">
            <SelectValue />
            <span aria-hidden="true">▾</span>
          </Button>
          <Popover className="popover">
            <ListBox className="options">
              <ListBoxItem id={FIRST_AVAILABLE} className="option">
                First available
              </ListBoxItem>
              {day.providers.map((p) => (
                <ListBoxItem key={p.id} id={p.id} className="option">
                  {p.displayName}
                </ListBoxItem>
              ))}
            </ListBox>
          </Popover>
        </Select>
        <Select
          className="field"
          value={visitType}
          isDisabled={rescheduling !== null}
          onChange={(key) => update({ type: key === null ? null : String(key) })}
        >
          <Label>Visit type</Label>
          <Button className="field__button">
            <SelectValue />
            <span aria-hidden="true">▾</span>
          </Button>
          <Popover className="popover">
            <ListBox className="options">
              {(BOOKABLE_VISIT_TYPES.includes(visitType)
                ? BOOKABLE_VISIT_TYPES
                : [visitType, ...BOOKABLE_VISIT_TYPES]
              ).map((code) => (
                <ListBoxItem key={code} id={code} className="option">
                  {visitTypeLabel(code)}
                </ListBoxItem>
              ))}
            </ListBox>
          </Popover>
        </Select>
        <div className="book__day">
          <DatePicker
            className="field"
            value={parseDate(date)}
            onChange={(value) => value && setDate(value.toString())}
          >
            <Label>Day</Label>
            <Group className="field__group">
              <DateInput className="field__date">{(segment) => <DateSegment segment={segment} />}</DateInput>
              <Button className="button button--quiet" aria-label="Open the calendar">
                ▦
              </Button>
            </Group>
            <Popover className="popover">
              <Dialog aria-label="Calendar" className="calendar">
                <Calendar>
                  <header className="calendar__header">
                    <Button slot="previous" className="button button--quiet" aria-label="Previous month">
                      ‹
                    </Button>
                    <Heading />
                    <Button slot="next" className="button button--quiet" aria-label="Next month">
                      ›
                    </Button>
                  </header>
                  <CalendarGrid>{(d) => <CalendarCell date={d} className="calendar__cell" />}</CalendarGrid>
                </Calendar>
              </Dialog>
            </Popover>
          </DatePicker>
          <Button className="button" onPress={() => setDate(addDays(date, -1))} aria-label="Previous day">
            ‹ Day
          </Button>
          <Button className="button" onPress={() => setDate(addDays(date, 1))} aria-label="Next day">
            Day ›
          </Button>
          {date !== today.date && (
            <Button className="button button--quiet" onPress={() => setDate(today.date)}>
              Today
            </Button>
          )}
        </div>
      </div>

      <div className="book__body">
        <section className="book__slots" aria-labelledby="slots-heading">
          <h2 id="slots-heading">
            {provider ? provider.displayName : 'First available'} · {dayLabel}
            <span className="book__count">{freeCount === 1 ? '1 free slot' : `${freeCount} free slots`}</span>
          </h2>
          {outcome && (
            <div
              className={outcome.kind === 'error' ? 'book__outcome book__outcome--error' : 'book__outcome'}
              role={outcome.kind === 'error' ? 'alert' : undefined}
              data-testid="booking-outcome"
            >
              <span>{outcome.text}</span>
              {outcome.kind === 'done' && (
                <Link className="book__link" to={deskPaths.today(outcome.date)}>
                  Show on Today
                </Link>
              )}
            </div>
          )}
          {day.slots.length === 0 ? (
            <p className="empty">
              {!day.working
                ? `${provider ? provider.displayName + ' does' : 'Nobody does'} not work on ${dayLabel}. Try another day${provider ? ' or “First available”' : ''}.`
                : 'No free slots left on this day. Try the next day, or add the patient to the waitlist.'}
            </p>
          ) : (
            <>
              <p className="book__hint" id="slots-hint">
                {rescheduling || patient
                  ? 'Arrow keys choose a slot; Enter books it.'
                  : 'Choose the patient, then a slot; Enter books it.'}
              </p>
              <SlotGrid
                slots={day.slots}
                label={`Slots: ${slotsLabel}`}
                selected={selected}
                onSelect={setSelected}
                onBook={(slot) => void book(slot)}
                providerById={day.providerById}
                patients={patients}
                showProvider={providerId === null}
                timeZone={timeZone}
              />
            </>
          )}
        </section>

        <aside className="book__side" aria-label="Patient and waitlist">
          {offer && (
            <section className="book__offer" aria-labelledby="offer-heading" data-testid="waitlist-offer">
              <h2 id="offer-heading">Freed slot for the waitlist</h2>
              <p>
                {whenText(offer.freed)} with {providerName(offer.freed.providerId)} is free. Next on the waitlist for{' '}
                {visitTypeLabel(offer.freed.visitType)}: <strong>{patientListName(offer.patient ?? undefined)}</strong>
                {waitingSince(offer.entry, timeZone)}.
              </p>
              <div className="book__row">
                <Button className="button button--primary" onPress={() => void acceptOffer(offer)} autoFocus>
                  Book {patientListName(offer.patient ?? undefined)} at {formatTimeOfDay(offer.freed.start, timeZone)}
                </Button>
                <Button className="button" onPress={() => void skipOffer(offer)}>
                  Offer to the next
                </Button>
                <Button className="button button--quiet" onPress={() => setOffer(null)}>
                  Leave it free
                </Button>
              </div>
            </section>
          )}

          <section aria-labelledby="patient-visits-heading">
            <h2 id="patient-visits-heading">
              {patient ? `${patientListName(patient)}: coming visits` : 'Coming visits'}
            </h2>
            {!patient ? (
              <p className="empty">Choose a patient to see, move or cancel their visits.</p>
            ) : upcoming.length === 0 ? (
              <p className="empty">No visits booked from today on.</p>
            ) : (
              <ul className="book__visits">
                {upcoming.map((a) => (
                  <li key={a.id} className="book__visit" data-testid="patient-visit" data-appointment-id={a.id}>
                    <span>
                      {a.status === 'waitlist' ? (
                        <>Waitlist from {formatDay(new Date(a.start), timeZone)}</>
                      ) : (
                        <time dateTime={a.start}>{whenText(a)}</time>
                      )}{' '}
                      · {visitTypeLabel(a.visitType)} · {providerName(a.providerId)}
                    </span>
                    <span className="chip" data-testid="patient-visit-status">
                      {appointmentStatusLabel(a.status)}
                    </span>
                    {(a.status === 'booked' || a.status === 'pending' || a.status === 'waitlist') && (
                      <span className="book__row">
                        {a.status !== 'waitlist' && (
                          <Button
                            className="button"
                            aria-label={`Reschedule ${visitTypeLabel(a.visitType)} on ${whenText(a)}`}
                            onPress={() => {
                              setOutcome(null);
                              update({
                                reschedule: a.id,
                                provider: a.providerId,
                                date: localDateAt(new Date(a.start), timeZone),
                              });
                            }}
                          >
                            Reschedule
                          </Button>
                        )}
                        <Button
                          className="button"
                          aria-label={`Cancel ${visitTypeLabel(a.visitType)} on ${whenText(a)}…`}
                          onPress={() => setCancelling(a)}
                        >
                          Cancel…
                        </Button>
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="waitlist-heading" data-testid="waitlist">
            <h2 id="waitlist-heading">
              Waitlist{provider ? ` · ${provider.displayName} · ${visitTypeLabel(visitType)}` : ''}
            </h2>
            {!provider ? (
              <p className="empty">Choose a provider to see and add to their waitlist.</p>
            ) : (
              <>
                {waitlist.length === 0 ? (
                  <p className="empty">Nobody is waiting for this provider and visit type.</p>
                ) : (
                  <ol className="book__waitlist">
                    {waitlist.map((entry) => (
                      <li key={entry.id} data-testid="waitlist-entry">
                        {patientListName(patients.get(entry.patientId))}
                        <span className="book__muted">
                          {' '}
                          · can come {formatDay(new Date(entry.start), timeZone)} –{' '}
                          {formatDay(new Date(Date.parse(entry.end) - 1), timeZone)}
                          {waitingSince(entry, timeZone)}
                        </span>
                      </li>
                    ))}
                  </ol>
                )}
                {patient && !rescheduling && (
                  <Button className="button" onPress={() => void addToWaitlist()}>
                    Add {patientListName(patient)} to the waitlist
                  </Button>
                )}
              </>
            )}
          </section>
        </aside>
      </div>

      <CancelDialog
        isOpen={cancelling !== null}
        what={
          cancelling
            ? `${patientListName(patient ?? undefined)} · ${visitTypeLabel(cancelling.visitType)}, ${
                cancelling.status === 'waitlist' ? 'on the waitlist' : whenText(cancelling)
              } with ${providerName(cancelling.providerId)}`
            : ''
        }
        onClose={() => setCancelling(null)}
        onCancel={(reason) => (cancelling ? cancel(cancelling, reason) : Promise.resolve(null))}
      />
    </section>
  );
}

function validDate(text: string | null): string | null {
  return text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : null;
}

function waitingSince(entry: Appointment, timeZone: string): string {
  const since = waitlistedAt(entry);
  return since ? `, waiting since ${formatDay(new Date(hlcToIso(since)), timeZone)}` : '';
}
