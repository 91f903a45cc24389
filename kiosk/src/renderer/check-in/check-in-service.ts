/**
 * What the self check-in screens need from the kiosk's data, and nothing more.
 * The screens take a service through their props; the kiosk's replica
 * implements it (replica-check-in-service.ts), tests pass their own.
 */

export type IdentityQuery =
  { kind: 'identity'; familyName: string; dob: string } | { kind: 'reminder-code'; code: string };

/** An appointment as the kiosk may show it: the kiosk projection's greeting fields, never more. */
export interface KioskAppointmentSummary {
  id: string;
  start: string;
  providerDisplayName: string;
  patientGivenName: string;
  patientFamilyInitial: string;
}

export interface CheckInReceipt {
  /** From the kiosk's leased block, or its fallback code offline; null when the site is not in the replica yet. */
  ticketCode: string | null;
  /** Minutes, or null when no estimate can be made. */
  waitMinutes: number | null;
}

export interface CheckInService {
  /** The site's time zone: appointment times are shown in it. */
  timeZone: string;
  /** Today's appointments that can still be checked in, matching the query. */
  find(query: IdentityQuery): Promise<KioskAppointmentSummary[]>;
  checkIn(appointmentId: string): Promise<CheckInReceipt>;
}
