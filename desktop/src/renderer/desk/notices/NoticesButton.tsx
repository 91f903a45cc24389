import type { Appointment, Notice } from '@medisync/shared/domain';
import { useEffect, useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Popover } from 'react-aria-components';
import { formatTimeOfDay } from '../../shell/time.js';
import { useAnnounce } from '../announcer.js';
import { acceptWaitlistOffer, describeBookingFailure } from '../booking/booking-writes.js';
import { patientListName } from '../names.js';
import type { Workspace } from '../workspace.js';
import { noticeText } from './notice-text.js';
import { ReminderSettings } from './ReminderSettings.js';
import { markNoticeRead, patientOf, UNREAD_SHOWN, useNotices } from './use-notices.js';
import './notices.css';

/**
 * The top bar's notices (docs/architecture.md §9.6): how many are unread, and
 * a panel of the latest, live as the server raises them: online bookings,
 * confirms and cancels from reminders, freed time that suits someone on the
 * waitlist (booked from here), attention flags, and messages that were sent,
 * failed or may not have arrived.
 */
export function NoticesButton({ workspace }: { workspace: Workspace }) {
  const { unread: open, read } = useNotices(workspace);
  const notices = [...open, ...read];
  const unread = open.length >= UNREAD_SHOWN ? `${UNREAD_SHOWN}+` : String(open.length);
  return (
    <DialogTrigger>
      <Button
        className={`topbar__notices${open.length > 0 ? ' topbar__notices--unread' : ''}`}
        data-testid="notices-button"
      >
        Notices <span className="count">{unread}</span>
        <span className="visually-hidden"> unread</span>
      </Button>
      <Popover className="notices-popover" placement="bottom end">
        <Dialog className="notices" aria-label="Notices">
          <Heading slot="title" className="notices__title">
            Notices
          </Heading>
          {notices.length === 0 ? (
            <p className="notices__empty">Nothing new.</p>
          ) : (
            <ul className="notices__list">
              {notices.map((notice) => (
                <NoticeItem key={notice.id} workspace={workspace} notice={notice} />
              ))}
            </ul>
          )}
          {workspace.session.user.role === 'admin' && (
            <div className="notices__footer">
              <ReminderSettings workspace={workspace} />
            </div>
          )}
        </Dialog>
      </Popover>
    </DialogTrigger>
  );
}

function NoticeItem({ workspace, notice }: { workspace: Workspace; notice: Notice }) {
  const announce = useAnnounce();
  const timeZone = workspace.session.site.timezone;
  const [names, setNames] = useState({ patient: '', provider: '' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const patient = await patientOf(workspace, notice.patientId);
      const providerId = notice.offer?.providerId;
      const provider = providerId ? (await workspace.db.rx.providers.findOne(providerId).exec())?.toJSON() : undefined;
      if (live) setNames({ patient: patient ? patientListName(patient) : '', provider: provider?.displayName ?? '' });
    })();
    return () => {
      live = false;
    };
  }, [workspace, notice.patientId, notice.offer?.providerId]);
  const { title, detail } = noticeText(notice, { ...names, timeZone });
  const unread = notice.readAt === null;

  async function bookOffer() {
    const offer = notice.offer!;
    setBusy(true);
    setProblem(null);
    try {
      const entry = (await workspace.db.rx.appointments.findOne(offer.waitlistEntryId).exec())?.toJSON() as
        Appointment | undefined;
      if (entry === undefined || entry.status !== 'waitlist')
        throw new Error('This waitlist entry was already booked or removed.');
      const patient = await patientOf(workspace, entry.patientId);
      await acceptWaitlistOffer(workspace, {
        freed: { providerId: offer.providerId, start: offer.start, end: offer.end, visitType: entry.visitType },
        entry,
        patient,
      });
      await markNoticeRead(workspace, notice);
      announce(`${names.patient || 'The patient'} booked at ${formatTimeOfDay(offer.start, timeZone)}`);
    } catch (error) {
      setProblem(
        error instanceof Error && !('code' in error) ? error.message : await describeBookingFailure(workspace, error),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className={`notice notice--${notice.kind}${unread ? ' notice--unread' : ''}`} data-testid="notice">
      <div className="notice__head">
        <strong className="notice__title">{title}</strong>
        <time className="notice__time" dateTime={notice.raisedAt}>
          {formatTimeOfDay(notice.raisedAt, timeZone)}
        </time>
      </div>
      <p className="notice__detail">{detail}</p>
      {problem && (
        <p className="notice__problem" role="alert">
          {problem}
        </p>
      )}
      {unread && (
        <div className="notice__actions">
          {notice.kind === 'waitlist-offer' && notice.offer && (
            <Button className="button button--primary" isDisabled={busy} onPress={() => void bookOffer()}>
              Book {names.patient || 'them'} into this time
            </Button>
          )}
          <Button
            className="button button--quiet"
            isDisabled={busy}
            onPress={() => void markNoticeRead(workspace, notice)}
          >
            Mark read
          </Button>
        </div>
      )}
    </li>
  );
}
