import { createHmac } from 'node:crypto';
import {
  appointmentCodeHash,
  changeRecord,
  formatAppointmentCode,
  localDateAt,
  type Appointment,
} from '@medisync/shared/domain';
import { writeRecord, type ApiDeps } from '#api/service';
import { serverClock } from '#sync/rules';

/**
 * The server's keys for reminders, derived from its token secret with a purpose
 * label each, so every instance sharing TOKEN_SECRET derives the same ones
 * (docs/architecture.md §7.4) and no key serves two purposes.
 */
export interface ReminderKeys {
  /** Keys the appointment codes (reminders-code.ts). */
  codes: Uint8Array;
  /** Signs confirm, cancel and unsubscribe links (links.ts). */
  links: Uint8Array;
}

export function reminderKeys(tokenSecret: string): ReminderKeys {
  const derive = (purpose: string) => new Uint8Array(createHmac('sha256', tokenSecret).update(purpose).digest());
  return { codes: derive('medisync:appointment-codes:v1'), links: derive('medisync:reminder-links:v1') };
}

/**
 * The code of an appointment on its site-local date: a keyed hash of the
 * appointment and the date, so the same appointment on the same day always has
 * the same code (the 48-hour and the 2-hour reminder agree) and a moved
 * appointment gets a new one. Nothing stores the code itself.
 */
export function appointmentCodeFor(
  keys: ReminderKeys,
  appointment: Pick<Appointment, 'id' | 'start'>,
  timeZone: string,
): { code: string; date: string } {
  const date = localDateAt(new Date(appointment.start), timeZone);
  const mac = createHmac('sha256', keys.codes).update(`${appointment.id}:${date}`).digest();
  return { code: formatAppointmentCode(date, mac), date };
}

/**
 * Makes sure the appointment carries the hash of its current code, so a kiosk
 * (online or offline, once it has synced) accepts the code, and answers the
 * code for the message. Writing the same hash again changes nothing.
 */
export async function issueAppointmentCode(
  deps: ApiDeps,
  keys: ReminderKeys,
  appointment: Appointment,
  timeZone: string,
): Promise<string> {
  const { code, date } = appointmentCodeFor(keys, appointment, timeZone);
  const hash = appointmentCodeHash(appointment.siteId, date, code);
  if (appointment.checkInCodeHash !== hash) {
    await writeRecord(
      deps,
      'appointments',
      changeRecord('appointments', appointment, { checkInCodeHash: hash }, serverClock),
      appointment.siteId,
    );
  }
  return code;
}
