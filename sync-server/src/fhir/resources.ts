import type { Appointment, Patient, Provider, QueueEntry, Room, Schedule } from '@medisync/shared/domain';

/** Mappings from MediSync records to HL7 FHIR R4 resources. */

export const MRN_SYSTEM = 'urn:medisync:mrn';

export function toPatient(p: Patient) {
  return {
    resourceType: 'Patient',
    id: p.id,
    active: p.active,
    identifier: p.mrn === null ? [] : [{ use: 'usual', system: MRN_SYSTEM, value: p.mrn }],
    name: [{ use: 'official', family: p.familyName, given: [p.givenName] }],
    birthDate: p.dob,
    gender: p.sex,
    telecom: [
      ...(p.phone ? [{ system: 'phone', value: p.phone }] : []),
      ...(p.email ? [{ system: 'email', value: p.email }] : []),
    ],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: p.preferredLanguage }] } }],
  };
}

export function toPractitioner(p: Provider) {
  return {
    resourceType: 'Practitioner',
    id: p.id,
    active: p.active,
    name: [{ text: p.displayName }],
    ...(p.specialty ? { qualification: [{ code: { text: p.specialty } }] } : {}),
  };
}

export function toLocation(r: Room) {
  return {
    resourceType: 'Location',
    id: r.id,
    status: r.status === 'out-of-service' ? 'suspended' : 'active',
    name: r.name,
    mode: 'instance',
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro' }] },
  };
}

export function toSchedule(s: Schedule) {
  return {
    resourceType: 'Schedule',
    id: s.id,
    active: true,
    actor: [{ reference: `Practitioner/${s.providerId}` }],
    comment: `${s.slotMinutes}-minute slots`,
  };
}

/** A slot id names its schedule and start, so reading or booking one needs no stored slot. */
export function slotId(scheduleId: string, start: string): string {
  return `${scheduleId}.${Date.parse(start)}`;
}

export function parseSlotId(id: string): { scheduleId: string; start: string } | null {
  const match = /^([0-9a-f-]{36})\.(\d{1,15})$/i.exec(id);
  if (match === null) return null;
  return { scheduleId: match[1]!, start: new Date(Number(match[2])).toISOString() };
}

export function toSlot(scheduleId: string, span: { start: string; end: string }, status: 'free' | 'busy') {
  return {
    resourceType: 'Slot',
    id: slotId(scheduleId, span.start),
    schedule: { reference: `Schedule/${scheduleId}` },
    status,
    start: span.start,
    end: span.end,
  };
}

export function toAppointment(a: Appointment) {
  return {
    resourceType: 'Appointment',
    id: a.id,
    status: a.status,
    appointmentType: { text: a.visitType },
    start: a.start,
    end: a.end,
    minutesDuration: Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000),
    ...(a.notes ? { comment: a.notes } : {}),
    participant: [
      { actor: { reference: `Patient/${a.patientId}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${a.providerId}` }, status: 'accepted' },
      ...(a.roomId ? [{ actor: { reference: `Location/${a.roomId}` }, status: 'accepted' }] : []),
    ],
  };
}

const ENCOUNTER_STATUS: Record<QueueEntry['status'], string> = {
  waiting: 'arrived',
  called: 'arrived',
  'in-room': 'in-progress',
  done: 'finished',
  left: 'cancelled',
  'no-show': 'cancelled',
};

/** An arrival: a queue entry is the patient's encounter with the front desk. */
export function toEncounter(q: QueueEntry) {
  return {
    resourceType: 'Encounter',
    id: q.id,
    status: ENCOUNTER_STATUS[q.status],
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: { reference: `Patient/${q.patientId}` },
    ...(q.appointmentId ? { appointment: [{ reference: `Appointment/${q.appointmentId}` }] } : {}),
    period: { start: q.checkedInAt },
    ...(q.roomId ? { location: [{ location: { reference: `Location/${q.roomId}` } }] } : {}),
    identifier: [{ system: 'urn:medisync:ticket', value: q.ticketCode }],
  };
}
