import type { Notice } from '@medisync/shared/domain';
import { formatTimeOfDay } from '../../shell/time.js';

/** What a notice says, in the desk's words, with names from the desk's own replica (a notice holds none). */
export function noticeText(
  notice: Notice,
  names: { patient: string; provider: string; timeZone: string },
): { title: string; detail: string } {
  const patient = names.patient || 'A patient';
  switch (notice.kind) {
    case 'online-booking':
      return { title: 'New online booking', detail: `${patient} booked online.` };
    case 'patient-confirmed':
      return { title: 'Confirmed from a reminder', detail: `${patient} confirmed their appointment.` };
    case 'patient-cancelled':
      return { title: 'Cancelled from a reminder', detail: `${patient} cancelled; the time is free again.` };
    case 'waitlist-offer': {
      const at = notice.offer ? formatTimeOfDay(notice.offer.start, names.timeZone) : '';
      const day = notice.offer ? formatDate(notice.offer.start, names.timeZone) : '';
      return {
        title: 'Freed time suits the waitlist',
        detail: `${patient} is next on the waitlist for ${day} ${at}${names.provider ? ` with ${names.provider}` : ''}.`,
      };
    }
    case 'attention':
      return { title: 'Needs attention', detail: notice.flag?.reason ?? 'A record needs attention.' };
    case 'message-delivery': {
      const d = notice.delivery;
      if (d === null) return { title: 'Message', detail: '' };
      const what = `${d.purpose === 'reminder' ? 'Reminder' : '“Almost your turn”'} by ${d.channel === 'sms' ? 'SMS' : 'email'} to ${patient}`;
      if (d.state === 'sent') return { title: 'Message sent', detail: `${what} was sent.` };
      if (d.state === 'uncertain') {
        return { title: 'Message may not have arrived', detail: `${what} may not have arrived; it is not sent again.` };
      }
      return {
        title: 'Message not delivered',
        detail: `${what} failed after ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}${d.error ? `: ${d.error}` : '.'}`,
      };
    }
  }
}

function formatDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone }).format(
    new Date(iso),
  );
}
