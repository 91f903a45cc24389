import type { AppointmentWait, CheckInSettings, LockoutState } from '@medisync/shared/domain';

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

/** What a patient may change about themselves before checking in (write-only: nothing on file is shown). */
export interface IntakeUpdate {
  phone?: string;
  insurance?: { payer: string; memberId: string; groupNumber: string | null };
}

/** A patient without an appointment today, registering at the kiosk (the desk completes the record). */
export interface WalkInRegistration {
  givenName: string;
  familyName: string;
  dob: string;
  phone: string | null;
  /** The language the patient used at the kiosk. */
  preferredLanguage: string;
}

/**
 * What a reminder's code finds (docs/architecture.md §9.6): the appointment it
 * checks in, or why it checks none in. Only `not-found` counts towards the
 * lockout: the others are real codes, and a typo is not a guess.
 */
export type CodeLookup =
  | { kind: 'found'; appointment: KioskAppointmentSummary }
  /** No appointment today has this code. */
  | { kind: 'not-found' }
  /** Not a code at all: a letter too many or too few. */
  | { kind: 'malformed' }
  /** A code for another day: it works only on the day of the appointment. */
  | { kind: 'other-day' }
  /** The appointment is already checked in: a code checks in once. */
  | { kind: 'used' }
  /** The appointment was cancelled or is otherwise not waiting for the patient. */
  | { kind: 'unavailable' };

export interface CheckInReceipt {
  /** From the kiosk's leased block, or its fallback code offline; null when the site is not in the replica yet. */
  ticketCode: string | null;
  /** For their own appointment: never earlier than its start. Null when no estimate can be made. */
  wait: AppointmentWait | null;
}

export interface CheckInService {
  /** The site's time zone: appointment times are shown in it. */
  timeZone: string;
  /** The site's check-in rules (defaults until the site reaches the kiosk). */
  settings(): Promise<CheckInSettings>;
  /** Today's appointments that can still be checked in, matching the name and date of birth. */
  find(query: Extract<IdentityQuery, { kind: 'identity' }>): Promise<KioskAppointmentSummary[]>;
  /** Today's appointment with a reminder's code, from the hash the replica holds (works offline). */
  findByCode(code: string): Promise<CodeLookup>;
  /**
   * Today's appointment of a patient who is already checked in and asks again
   * (a second try, a lost ticket): told so, and not counted as a miss.
   */
  alreadyHere(query: IdentityQuery): Promise<KioskAppointmentSummary | null>;
  /** Checks in and queues the patient; an intake update goes up with it. */
  checkIn(appointmentId: string, intake?: IntakeUpdate): Promise<CheckInReceipt>;
  /** Registers a new patient and queues them without an appointment. */
  registerWalkIn(registration: WalkInRegistration): Promise<CheckInReceipt>;
  /** The identity-search lockout, kept where a reload or a restart finds it again. */
  loadLockout(): Promise<LockoutState>;
  saveLockout(state: LockoutState): Promise<void>;
}

/** Prints the ticket on screen: silently where the kiosk has a printer, else through the browser's dialog. */
export interface TicketPrinter {
  /** True when the ticket prints by itself after check-in (a configured printer). */
  automatic: boolean;
  print(): Promise<void>;
}

/** The copay a kiosk offers to take after check-in (docs/architecture.md §9.7), as the server tells it. */
export interface CopayOffer {
  dueCents: number;
  currency: string;
  /** The payment started for it: its Stripe page to scan, and whether it is paid yet. */
  payment: { status: string; url: string | null } | null;
}

/**
 * Paying the copay at the kiosk, where the clinic allows it: online only (card
 * payments need Stripe), through the server; the card goes to Stripe's page on
 * the patient's phone, never through the kiosk.
 */
export interface KioskPayments {
  /** What is due for a visit just checked in; null when the clinic does not take payments here or the server is unreachable. */
  copay(appointmentId: string): Promise<CopayOffer | null>;
  /** Starts the payment (or returns the one started): its Stripe page. */
  pay(appointmentId: string): Promise<{ status: string; url: string | null }>;
}
