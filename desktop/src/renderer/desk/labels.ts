import type {
  Appointment,
  AppointmentStatus,
  AttentionFlag,
  NoShowRiskBand,
  QueuePriority,
  QueueStatus,
  Room,
} from '@medisync/shared/domain';
import { dateTimeFormat } from '../shell/time.js';

/**
 * The words the desk shows for stored codes. Records keep machine codes
 * (FHIR statuses, visit-type slugs); staff never see one raw. Every screen takes
 * its labels from here so "No-show" reads the same on Today, the queue and the inbox.
 */

export const appointmentStatusLabels: Record<AppointmentStatus, string> = {
  proposed: 'Proposed',
  pending: 'Pending',
  booked: 'Booked',
  arrived: 'Arrived',
  'checked-in': 'Checked in',
  fulfilled: 'Seen',
  cancelled: 'Cancelled',
  noshow: 'No-show',
  'entered-in-error': 'Entered in error',
  waitlist: 'Waitlist',
};

export const queueStatusLabels: Record<QueueStatus, string> = {
  waiting: 'Waiting',
  called: 'Called',
  'in-room': 'In room',
  done: 'Done',
  left: 'Left',
  'no-show': 'No-show',
};

export const queuePriorityLabels: Record<QueuePriority, string> = {
  normal: 'Normal',
  assist: 'Needs assistance',
  urgent: 'Urgent',
};

type CheckInSource = NonNullable<Appointment['checkInSource']>;
export const checkInSourceLabels: Record<CheckInSource, string> = {
  desk: 'at the desk',
  kiosk: 'at the kiosk',
  api: 'by another system',
  server: 'by the server',
};

/** The no-show model's bands as staff read them; patients never see these. */
export const noShowRiskLabels: Record<NoShowRiskBand, string> = {
  low: 'Likely to come',
  medium: 'Might not come',
  high: 'Likely no-show',
};

export const roomStatusLabels: Record<Room['status'], string> = {
  available: 'Available',
  occupied: 'Occupied',
  cleaning: 'Cleaning',
  'out-of-service': 'Out of service',
};

export const roomKindLabels: Record<Room['kind'], string> = {
  exam: 'Exam room',
  procedure: 'Procedure room',
  lab: 'Lab',
  consult: 'Consult room',
  imaging: 'Imaging',
  other: 'Room',
};

export const attentionLabels: Readonly<Record<string, string>> = {
  'overlapping-booking': 'Double booking',
  'duplicate-ticket-code': 'Ticket code used twice',
  'duplicate-arrival': 'Checked in twice',
  'probable-duplicate-patient': 'Probable duplicate patient',
  'lifecycle-conflict': 'Conflicting status changes',
};

/** The inbox's name for an attention flag; a code added later still reads as words. */
export function attentionLabel(code: AttentionFlag['code']): string {
  return attentionLabels[code] ?? codeInWords(code);
}

/** Visit types the clinic uses today; any other code is shown in words by `visitTypeLabel`. */
export const visitTypeLabels: Readonly<Record<string, string>> = {
  'follow-up': 'Follow-up',
  'annual-physical': 'Annual physical',
  'sick-visit': 'Sick visit',
  'new-patient': 'New patient',
  'medication-review': 'Medication review',
  vaccination: 'Vaccination',
  'chronic-care': 'Chronic care',
  'well-child': 'Well-child visit',
  'sports-physical': 'Sports physical',
  ecg: 'ECG',
  'minor-procedure': 'Minor procedure',
  'blood-draw': 'Blood draw',
  'walk-in': 'Walk-in',
  appointment: 'Appointment',
};

/** "sick-visit" -> "Sick visit"; an unknown code from another system still reads as words. */
export function visitTypeLabel(code: string): string {
  return visitTypeLabels[code] ?? codeInWords(code);
}

function codeInWords(code: string): string {
  const words = code.replace(/[-_]+/g, ' ').trim();
  return words.length === 0 ? code : words[0]!.toUpperCase() + words.slice(1);
}

export function appointmentStatusLabel(status: AppointmentStatus): string {
  return appointmentStatusLabels[status];
}

export function queueStatusLabel(status: QueueStatus): string {
  return queueStatusLabels[status];
}

export function queuePriorityLabel(priority: QueuePriority): string {
  return queuePriorityLabels[priority];
}

export function checkInSourceLabel(source: Appointment['checkInSource']): string | null {
  return source === null ? null : checkInSourceLabels[source];
}

/** "5 min", "1 h 05 min": how long something has been in a state, for chips and queue rows. */
export function minutesLabel(minutes: number): string {
  const whole = Math.max(0, Math.floor(minutes));
  if (whole < 60) return `${whole} min`;
  return `${Math.floor(whole / 60)} h ${String(whole % 60).padStart(2, '0')} min`;
}

/** "3 March 1980 (age 45)": a birth date read back to the patient. */
export function birthDateLabel(dob: string, today: string = new Date().toISOString().slice(0, 10)): string {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const age = ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
  const spoken = dateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d, 12)));
  return `${spoken} (age ${age})`;
}
