import type { CheckInSettings, Site } from './schemas/site.js';

/**
 * When a lobby kiosk checks a patient in for an appointment, from the site's
 * settings: from `earliestMinutesBefore` the start until `latestMinutesAfter`
 * it. Earlier, the patient is told when to come back, or (where the clinic
 * allows it) checked in all the same, queued at the appointment's time; later,
 * the front desk decides, since a late patient may need a new slot. Pure: the
 * kiosk passes the time.
 */

/** What a site that never set its check-in rules gets: an hour early to a quarter of an hour late, no walk-ins. */
export const DEFAULT_CHECK_IN_SETTINGS: CheckInSettings = {
  earliestMinutesBefore: 60,
  latestMinutesAfter: 15,
  tooEarly: 'refuse',
  walkIns: false,
};

/** The site's check-in rules, with the defaults for anything it leaves out. */
export function checkInSettingsOf(site: Pick<Site, 'checkIn'> | null | undefined): CheckInSettings {
  return { ...DEFAULT_CHECK_IN_SETTINGS, ...(site?.checkIn ?? {}) };
}

export type CheckInWindow =
  | { kind: 'open' }
  /** `opensAt`: when the kiosk will check the patient in; `allowed`: checked in now anyway, and the desk sees it. */
  | { kind: 'too-early'; opensAt: string; allowed: boolean }
  /** `closedAt`: since when only the desk checks the patient in. */
  | { kind: 'too-late'; closedAt: string };

export function checkInWindow(
  appointment: { start: string },
  now: Date,
  settings: CheckInSettings = DEFAULT_CHECK_IN_SETTINGS,
): CheckInWindow {
  const start = Date.parse(appointment.start);
  const opensAt = start - settings.earliestMinutesBefore * 60_000;
  const closedAt = start + settings.latestMinutesAfter * 60_000;
  const at = now.getTime();
  if (at < opensAt) {
    return { kind: 'too-early', opensAt: new Date(opensAt).toISOString(), allowed: settings.tooEarly !== 'refuse' };
  }
  if (at > closedAt) return { kind: 'too-late', closedAt: new Date(closedAt).toISOString() };
  return { kind: 'open' };
}

export interface AppointmentWait {
  /** Whole minutes until the patient is likely called, never before the appointment's start. */
  minutes: number;
  /** True when the appointment's start, not the queue ahead, sets the wait: say the time, not "about N minutes". */
  byAppointment: boolean;
}

/**
 * The wait a patient with an appointment is told: the queue's estimate
 * (`estimateWait`), but never earlier than the appointment itself, since an
 * early arrival waits for their own time, not for an empty queue. Walk-ins
 * (no start) get the queue's estimate. Null when neither says anything.
 */
export function appointmentWait(
  queueEstimateMinutes: number | null,
  appointmentStart: string | null,
  now: Date,
): AppointmentWait | null {
  const untilStart =
    appointmentStart === null ? null : Math.max(0, Math.ceil((Date.parse(appointmentStart) - now.getTime()) / 60_000));
  if (untilStart === null || untilStart === 0) {
    return queueEstimateMinutes === null ? null : { minutes: queueEstimateMinutes, byAppointment: false };
  }
  if (queueEstimateMinutes === null || queueEstimateMinutes <= untilStart) {
    return { minutes: untilStart, byAppointment: true };
  }
  return { minutes: queueEstimateMinutes, byAppointment: false };
}
