import {
  bookingsStillClash,
  cancelAppointment,
  changeRecord,
  hlcToIso,
  lifecycleConflictOf,
  markNoShow,
  otherRecordOf,
  resolveFlag,
  transitionRecord,
  type Appointment,
  type CollectionName,
  type Patient,
  type QueueEntry,
  type RecordTypes,
  type Site,
} from '@medisync/shared/domain';
import { mergePatients } from '@medisync/shared/sync';
import { useState, type ReactNode } from 'react';
import { Button, Label, Radio, RadioGroup, TextArea, TextField } from 'react-aria-components';
import { Link } from 'react-router';
import { dateTimeFormat, formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { bookingPaths } from '../booking/paths.js';
import { appointmentStatusLabel, attentionLabel, queueStatusLabel } from '../labels.js';
import { patientListName } from '../names.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { FormDialog } from '../shell/FormDialog.js';
import { deskActor, type Workspace } from '../workspace.js';
import { useInbox, type InboxData, type InboxItem } from './use-inbox.js';
import './inbox.css';

type Dialog =
  | { kind: 'cancel'; item: InboxItem; choices: Appointment[] }
  | { kind: 'merge'; item: InboxItem; kept: Patient; duplicate: Patient };

/**
 * The conflicts inbox: one line per open attention flag, newest first, naming
 * the records it concerns, with the one or two actions that resolve it. Every
 * action is an ordinary local change (the flag marked resolved, a booking
 * cancelled, a ticket re-issued) that syncs like any other.
 */
export function InboxScreen({ workspace }: { workspace: Workspace }) {
  const data = useInbox(workspace);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const announce = useAnnounce();
  const { db } = workspace;
  const actor = deskActor(workspace);

  /** Runs one resolution and says what happened: `work` may put the outcome in its own words. */
  async function act(item: InboxItem, outcome: string, work: () => Promise<string | void>): Promise<boolean> {
    const id = lineId(item);
    setErrors(({ [id]: _, ...rest }) => rest);
    try {
      announce((await work()) ?? outcome);
      return true;
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      setErrors((current) => ({ ...current, [id]: `Not resolved: ${message}` }));
      announce(`Not resolved: ${message}`);
      return false;
    }
  }

  async function latest<K extends CollectionName>(collection: K, id: string): Promise<RecordTypes[K]> {
    const doc = await db.rx[collection].findOne(id).exec();
    if (doc === null) throw new Error('the record is no longer on this device');
    return doc.toJSON() as RecordTypes[K];
  }

  async function resolve(item: InboxItem) {
    const record = await latest(item.collection, item.record.id);
    await db.save(item.collection, resolveFlag(item.collection, record, item.key, actor, new Date()) as never);
  }

  const resolveOnly = (item: InboxItem, outcome: string) => act(item, outcome, () => resolve(item));

  async function reissueTicket(item: InboxItem & { collection: 'queueEntries' }) {
    await act(item, `New ticket given`, async () => {
      const entry = await latest('queueEntries', item.record.id);
      const site = (await db.rx.sites.findOne(entry.siteId).exec())?.toJSON() as Site | undefined;
      if (site === undefined) throw new Error("the site's settings have not reached this device yet");
      const ticketCode = await workspace.tickets.issue(site, entry.queue, new Date());
      const renamed = changeRecord('queueEntries', entry, { ticketCode }, db.clock);
      await db.save('queueEntries', resolveFlag('queueEntries', renamed, item.key, actor, new Date()));
      return `${entry.ticketCode} is now ${ticketCode}: tell the patient their new ticket`;
    });
  }

  async function dropArrival(item: InboxItem & { collection: 'queueEntries' }) {
    await act(item, `Ticket ${item.record.ticketCode} taken out of the queue`, async () => {
      const entry = await latest('queueEntries', item.record.id);
      const left =
        entry.status === 'waiting' || entry.status === 'called'
          ? transitionRecord('queueEntries', entry, 'left', db.clock, actor)
          : entry;
      await db.save('queueEntries', resolveFlag('queueEntries', left, item.key, actor, new Date()));
    });
  }

  async function acceptLostStep(item: InboxItem & { collection: 'appointments' | 'queueEntries' }, steps: string[]) {
    await act(item, 'Status changed and conflict resolved', async () => {
      let record = (await latest(item.collection, item.record.id)) as Appointment | QueueEntry;
      for (const to of steps) record = transitionRecord(item.collection, record as never, to, db.clock, actor);
      await db.save(item.collection, resolveFlag(item.collection, record as never, item.key, actor, new Date()));
      // An appointment accepted as a no-show takes its ticket out of the queue too.
      if (item.collection === 'appointments' && record.status === 'noshow') {
        const entries = await db.rx.queueEntries.find({ selector: { appointmentId: record.id }, limit: 10 }).exec();
        for (const doc of entries) {
          const entry = doc.toJSON() as QueueEntry;
          if (entry.status === 'waiting' || entry.status === 'called') {
            await db.save('queueEntries', markNoShow(entry, { clock: db.clock, actor }));
          }
        }
      }
    });
  }

  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      {data.items.length === 0 ? (
        <p className="empty inbox__empty">
          Nothing to resolve. Clashes only the server can see (a slot booked twice on desks that were offline, a ticket
          number given twice, a patient registered twice) appear here.
        </p>
      ) : (
        <>
          <p className="inbox__lead">
            {data.items.length === 1 ? 'One thing needs' : `${data.items.length} things need`} a decision, newest first.
          </p>
          <ul className="inbox__list">
            {data.items.map((item) => (
              <InboxLine
                key={lineId(item)}
                item={item}
                data={data}
                timeZone={workspace.session.site.timezone}
                error={errors[lineId(item)] ?? null}
              >
                {actionsFor(item)}
              </InboxLine>
            ))}
          </ul>
        </>
      )}
      {dialog?.kind === 'cancel' && (
        <CancelOneDialog
          choices={dialog.choices}
          data={data}
          timeZone={workspace.session.site.timezone}
          onCancel={() => setDialog(null)}
          onSubmit={async (appointment, reason) => {
            const done = await act(dialog.item, 'Booking cancelled and double booking resolved', async () => {
              const current = await latest('appointments', appointment.id);
              const cancelled = cancelAppointment(current, reason, db.clock, actor, new Date());
              // Cancelling the flagged booking itself resolves its flag in the same change.
              if (appointment.id === dialog.item.record.id) {
                await db.save(
                  'appointments',
                  resolveFlag('appointments', cancelled, dialog.item.key, actor, new Date()),
                );
              } else {
                await db.save('appointments', cancelled);
                await resolve(dialog.item);
              }
            });
            if (done) setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'merge' && (
        <ConfirmDialog
          title="Merge these patients?"
          confirmLabel="Merge"
          cancelLabel="Go back"
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            const { item, kept, duplicate } = dialog;
            setDialog(null);
            void act(item, `Merged into ${patientListName(kept)}`, async () => {
              await mergePatients(db, { keptId: kept.id, duplicateId: duplicate.id }, actor);
              const after = await latest('patients', item.record.id);
              if (after.attention[item.key]?.resolvedAt === null) await resolve(item);
            });
          }}
        >
          <p>
            {patientListName(dialog.duplicate)} ({describePatientIds(dialog.duplicate)}) becomes part of{' '}
            {patientListName(dialog.kept)} ({describePatientIds(dialog.kept)}). Every visit moves with it; an
            administrator can undo the merge.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );

  function actionsFor(item: InboxItem): ReactNode {
    const other = otherRecordOf(item.key);
    switch (item.flag.code) {
      case 'overlapping-booking': {
        if (item.collection !== 'appointments') break;
        const clash = other ? data.appointments.get(other) : undefined;
        if (clash !== undefined && !bookingsStillClash(item.record, clash)) {
          return (
            <Button className="button button--primary" onPress={() => void resolveOnly(item, 'Cleared')}>
              Clear: no longer clashing
            </Button>
          );
        }
        const choices = [item.record, ...(clash ? [clash] : [])];
        return (
          <>
            <Button className="button" onPress={() => void resolveOnly(item, 'Both bookings kept')}>
              Keep both
            </Button>
            <Link className="button" to={bookingPaths.reschedule(item.record.id)}>
              Move {patientListName(data.patients.get(item.record.patientId))}
            </Link>
            <Button className="button" onPress={() => setDialog({ kind: 'cancel', item, choices })}>
              Cancel one…
            </Button>
          </>
        );
      }
      case 'duplicate-ticket-code':
        if (item.collection !== 'queueEntries') break;
        return (
          <>
            <Button className="button button--primary" onPress={() => void reissueTicket(item)}>
              Give {patientListName(data.patients.get(item.record.patientId))} a new ticket
            </Button>
            <Button className="button" onPress={() => void resolveOnly(item, 'Ticket kept')}>
              Keep as is
            </Button>
          </>
        );
      case 'duplicate-arrival':
        if (item.collection !== 'queueEntries') break;
        return (
          <>
            <Button className="button button--primary" onPress={() => void dropArrival(item)}>
              Take {item.record.ticketCode} out of the queue
            </Button>
            <Button className="button" onPress={() => void resolveOnly(item, 'Both tickets kept')}>
              Keep both
            </Button>
          </>
        );
      case 'probable-duplicate-patient': {
        if (item.collection !== 'patients') break;
        const kept = other ? data.patients.get(other) : undefined;
        return (
          <>
            {kept && (
              <Button
                className="button"
                onPress={() => setDialog({ kind: 'merge', item, kept, duplicate: item.record })}
              >
                Merge into {kept.mrn ?? 'the earlier record'}…
              </Button>
            )}
            <Button className="button" onPress={() => void resolveOnly(item, 'Kept apart: two different patients')}>
              Keep apart
            </Button>
          </>
        );
      }
      case 'lifecycle-conflict': {
        if (item.collection === 'patients') break;
        const conflict = lifecycleConflictOf(item.collection, item.record, item.key, actor.role);
        const label = (status: string) =>
          item.collection === 'appointments'
            ? appointmentStatusLabel(status as Appointment['status'])
            : queueStatusLabel(status as QueueEntry['status']);
        return (
          <>
            <Button
              className="button button--primary"
              onPress={() => void resolveOnly(item, `Kept ${label(item.record.status)}`)}
            >
              Keep “{label(item.record.status)}”
            </Button>
            {conflict && conflict.acceptSteps.length > 0 && (
              <Button className="button" onPress={() => void acceptLostStep(item, conflict.acceptSteps)}>
                Accept “{label(conflict.event.to)}”
              </Button>
            )}
          </>
        );
      }
    }
    return (
      <Button className="button" onPress={() => void resolveOnly(item, 'Marked resolved')}>
        Mark resolved
      </Button>
    );
  }
}

function lineId(item: InboxItem): string {
  return `${item.collection}/${item.record.id}/${item.key}`;
}

function InboxLine({
  item,
  data,
  timeZone,
  error,
  children,
}: {
  item: InboxItem;
  data: InboxData;
  timeZone: string;
  error: string | null;
  children: ReactNode;
}) {
  const title = attentionLabel(item.flag.code);
  return (
    <li
      className={`inbox-line inbox-line--${item.flag.code}`}
      data-testid="inbox-line"
      data-code={item.flag.code}
      data-record-id={item.record.id}
    >
      <div className="inbox-line__head">
        <h2 className="inbox-line__title">{title}</h2>
        <span className="inbox-line__raised">
          raised <time dateTime={item.flag.raisedAt}>{formatWhen(item.flag.raisedAt, timeZone)}</time>
        </span>
      </div>
      <div className="inbox-line__records">{concerns(item, data, timeZone)}</div>
      <div className="inbox-line__actions">{children}</div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** The records a flag concerns, in the words the desk uses. */
function concerns(item: InboxItem, data: InboxData, timeZone: string): ReactNode {
  const other = otherRecordOf(item.key);
  switch (item.collection) {
    case 'appointments': {
      const clash = other ? data.appointments.get(other) : undefined;
      const conflict = lifecycleConflictOf('appointments', item.record, item.key, 'desk');
      return (
        <ul className="inbox-line__subjects">
          <li>{describeAppointment(item.record, data, timeZone)}</li>
          {item.flag.code === 'overlapping-booking' && (
            <li>
              {clash ? describeAppointment(clash, data, timeZone) : 'The other booking has not reached this desk yet.'}
            </li>
          )}
          {conflict && (
            <li>
              Marked “{appointmentStatusLabel(conflict.event.to)}” at{' '}
              {formatTimeOfDay(hlcToIso(conflict.event.hlc), timeZone)} while the visit was “
              {appointmentStatusLabel(conflict.current)}”
            </li>
          )}
        </ul>
      );
    }
    case 'queueEntries': {
      const twin = other ? data.queueEntries.get(other) : undefined;
      const conflict = lifecycleConflictOf('queueEntries', item.record, item.key, 'desk');
      return (
        <ul className="inbox-line__subjects">
          <li>{describeEntry(item.record, data, timeZone)}</li>
          {other && (
            <li>{twin ? describeEntry(twin, data, timeZone) : 'The other ticket has not reached this desk yet.'}</li>
          )}
          {conflict && (
            <li>
              Marked “{queueStatusLabel(conflict.event.to)}” at{' '}
              {formatTimeOfDay(hlcToIso(conflict.event.hlc), timeZone)} while the patient was “
              {queueStatusLabel(conflict.current)}”
            </li>
          )}
        </ul>
      );
    }
    case 'patients': {
      const twin = other ? data.patients.get(other) : undefined;
      return (
        <ul className="inbox-line__subjects">
          <li>
            {patientListName(item.record)}, {describePatientIds(item.record)}
          </li>
          <li>
            {twin
              ? `${patientListName(twin)}, ${describePatientIds(twin)}`
              : 'The other patient has not reached this desk yet.'}
          </li>
        </ul>
      );
    }
  }
}

function describeAppointment(appointment: Appointment, data: InboxData, timeZone: string): string {
  const patient = patientListName(data.patients.get(appointment.patientId));
  const provider = data.providers.get(appointment.providerId)?.displayName ?? 'a provider';
  return `${patient}: ${formatWhen(appointment.start, timeZone)}–${formatTimeOfDay(appointment.end, timeZone)} with ${provider} (${appointmentStatusLabel(appointment.status)})`;
}

function describeEntry(entry: QueueEntry, data: InboxData, timeZone: string): string {
  const patient = patientListName(data.patients.get(entry.patientId));
  const appointment = entry.appointmentId ? data.appointments.get(entry.appointmentId) : undefined;
  const visit = appointment ? `, booked ${formatTimeOfDay(appointment.start, timeZone)}` : ', walk-in';
  return `Ticket ${entry.ticketCode}: ${patient}${visit}, checked in ${formatTimeOfDay(entry.checkedInAt, timeZone)} (${queueStatusLabel(entry.status)})`;
}

function describePatientIds(patient: Patient): string {
  return `born ${patient.dob}, ${patient.mrn ?? 'MRN pending'}`;
}

/** "Mon 30 Nov 14:05" at the site. */
function formatWhen(iso: string, timeZone: string): string {
  const day = dateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone }).format(
    new Date(iso),
  );
  return `${day} ${formatTimeOfDay(iso, timeZone)}`;
}

function CancelOneDialog({
  choices,
  data,
  timeZone,
  onCancel,
  onSubmit,
}: {
  choices: Appointment[];
  data: InboxData;
  timeZone: string;
  onCancel: () => void;
  onSubmit: (appointment: Appointment, reason: string) => Promise<void>;
}) {
  const [chosen, setChosen] = useState(choices[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <FormDialog
      title="Cancel one booking"
      submitLabel="Cancel this booking"
      cancelLabel="Go back"
      error={error}
      onCancel={onCancel}
      onSubmit={() => {
        const appointment = choices.find((a) => a.id === chosen);
        if (appointment === undefined) return;
        if (reason.trim().length === 0) {
          setError('Say why the booking is cancelled: the patient may ask.');
          return;
        }
        void onSubmit(appointment, reason);
      }}
    >
      <RadioGroup className="desk-field" value={chosen} onChange={setChosen}>
        <Label className="desk-field__label">Which booking</Label>
        {choices.map((appointment) => (
          <Radio key={appointment.id} value={appointment.id} className="radio-choice">
            {describeAppointment(appointment, data, timeZone)}
          </Radio>
        ))}
      </RadioGroup>
      <TextField
        className="desk-field"
        value={reason}
        onChange={(value) => {
          setReason(value);
          setError(null);
        }}
        isRequired
        validationBehavior="aria"
      >
        <Label className="desk-field__label">Reason</Label>
        <TextArea className="desk-field__input" rows={2} maxLength={300} />
      </TextField>
    </FormDialog>
  );
}
