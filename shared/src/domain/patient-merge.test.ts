import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import { duplicateReasons, findProbableDuplicates, identityKeysOf } from './patient-duplicates.js';
import { planPatientMerge, planPatientMergeUndo, PatientMergeError } from './patient-merge.js';
import { mergeRecords } from './merge.js';
import { createRecord, type Actor } from './records.js';
import type { Appointment } from './schemas/appointment.js';
import type { Patient } from './schemas/patient.js';
import type { QueueEntry } from './schemas/queue-entry.js';

const SITE = newId();
const desk: Actor = { id: 'desk-user', role: 'desk', source: 'desk' };
const admin: Actor = { id: 'admin-user', role: 'admin', source: 'desk' };
const NOW = new Date('2026-11-23T10:00:00.000Z');

function patient(clock: HybridClock, fields: Partial<Patient> = {}): Patient {
  return createRecord(
    'patients',
    {
      id: newId(),
      siteId: SITE,
      mrn: null,
      givenName: 'Maria',
      familyName: 'García',
      dob: '1988-04-14',
      sex: 'female',
      phone: '+1 555 010 1234',
      email: null,
      address: null,
      preferredLanguage: 'es',
      insurance: null,
      active: true,
      mergedInto: null,
      ...fields,
    },
    clock,
    desk,
  );
}

function appointment(clock: HybridClock, patientId: string, day: number): Appointment {
  const start = new Date(Date.UTC(2026, 10, day, 9)).toISOString();
  const end = new Date(Date.UTC(2026, 10, day, 9, 20)).toISOString();
  return createRecord(
    'appointments',
    {
      id: newId(),
      siteId: SITE,
      patientId,
      providerId: newId(),
      roomId: null,
      start,
      end,
      visitType: 'follow-up',
      status: 'booked',
      checkedInAt: null,
      copayCents: null,
      notes: null,
    },
    clock,
    desk,
  );
}

function queueEntry(clock: HybridClock, patientId: string, n: number): QueueEntry {
  return createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: SITE,
      appointmentId: null,
      patientId,
      queue: 'reception',
      ticketCode: `A-${String(n).padStart(3, '0')}`,
      priority: 'normal',
      status: 'waiting',
      checkedInAt: NOW.toISOString(),
      roomId: null,
    },
    clock,
    desk,
  );
}

describe('probable duplicates', () => {
  it('are the same family name and birth date, accents and case ignored, or the same phone', () => {
    const a = { familyName: 'García', dob: '1988-04-14', phone: null };
    expect(duplicateReasons(a, { familyName: 'garcia', dob: '1988-04-14', phone: null })).toEqual([
      'family-name-and-birth-date',
    ]);
    expect(duplicateReasons(a, { familyName: 'Garcia', dob: '1988-04-15', phone: null })).toEqual([]);
    expect(
      duplicateReasons(
        { familyName: 'Weber', dob: '1970-01-01', phone: '+1 (555) 010-1234' },
        { familyName: 'Smith', dob: '1999-09-09', phone: '555.010.1234' },
      ),
    ).toEqual(['phone']);
    expect(
      duplicateReasons(
        { familyName: 'A', dob: '1970-01-01', phone: '12' },
        { familyName: 'B', dob: '1970-01-02', phone: '12' },
      ),
    ).toEqual([]);
  });

  it('never include the record itself or one merged away, strongest first', () => {
    const clock = new HybridClock('desk-1');
    const self = patient(clock);
    const both = patient(clock);
    const byPhone = patient(clock, { familyName: 'Other', dob: '2000-01-01' });
    const merged = patient(clock, { mergedInto: both.id });
    const found = findProbableDuplicates(self, [self, byPhone, merged, both], (p) => identityKeysOf(p));
    expect(found.map((d) => d.patient.id)).toEqual([both.id, byPhone.id]);
  });
});

describe('merging two patients', () => {
  it('moves every visit to the kept patient, retires the duplicate and resolves the flags between them', () => {
    const clock = new HybridClock('desk-1');
    const kept = patient(clock, {
      attention: {},
    });
    const duplicate = patient(clock, { givenName: 'María' });
    const flagged: Patient = {
      ...kept,
      needsAttention: true,
      attention: {
        [`probable-duplicate-patient:${duplicate.id}`]: {
          code: 'probable-duplicate-patient',
          reason: `same family name and date of birth as patient ${duplicate.id}`,
          raisedAt: NOW.toISOString(),
          resolvedAt: null,
          resolvedBy: null,
        },
      },
    };
    const visits = [appointment(clock, duplicate.id, 2), appointment(clock, duplicate.id, 30)];
    const theirs = appointment(clock, kept.id, 3);
    const entry = queueEntry(clock, duplicate.id, 41);
    const changes = planPatientMerge(
      { kept: flagged, duplicate, appointments: [...visits, theirs], queueEntries: [entry] },
      clock,
      desk,
      NOW,
    );
    expect(changes.appointments.map((a) => [a.id, a.patientId])).toEqual(visits.map((a) => [a.id, kept.id]));
    expect(changes.queueEntries.map((e) => e.patientId)).toEqual([kept.id]);
    expect(changes.duplicate).toMatchObject({ active: false, mergedInto: kept.id });
    expect(changes.duplicate.mergeRecord?.appointmentIds).toEqual(visits.map((a) => a.id).sort());
    expect(changes.kept.needsAttention).toBe(false);
    expect(changes.kept.givenName).toBe('Maria');

    expect(() => planPatientMergeUndo({ ...changes, appointments: changes.appointments }, clock, desk)).toThrow(
      PatientMergeError,
    );
    const undone = planPatientMergeUndo(
      {
        kept: changes.kept,
        duplicate: changes.duplicate,
        appointments: changes.appointments,
        queueEntries: changes.queueEntries,
      },
      clock,
      admin,
    );
    expect(undone.duplicate).toMatchObject({ active: true, mergedInto: null, mergeRecord: null });
    expect(undone.appointments.map((a) => a.patientId)).toEqual([duplicate.id, duplicate.id]);
    expect(undone.queueEntries.map((e) => e.patientId)).toEqual([duplicate.id]);
  });

  it('refuses to merge a patient into itself or twice', () => {
    const clock = new HybridClock('desk-1');
    const a = patient(clock);
    const b = patient(clock);
    expect(() =>
      planPatientMerge({ kept: a, duplicate: a, appointments: [], queueEntries: [] }, clock, desk, NOW),
    ).toThrow(/itself/);
    const once = planPatientMerge({ kept: a, duplicate: b, appointments: [], queueEntries: [] }, clock, desk, NOW);
    expect(() =>
      planPatientMerge({ kept: a, duplicate: once.duplicate, appointments: [], queueEntries: [] }, clock, desk, NOW),
    ).toThrow(/already/);
  });

  it('keeps every visit of both patients, and an undo gives each visit back to its first owner', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('kept', 'duplicate', 'someone'), { maxLength: 12 }),
        fc.array(fc.constantFrom('kept', 'duplicate', 'someone'), { maxLength: 6 }),
        (appointmentOwners, entryOwners) => {
          const clock = new HybridClock('desk-1');
          const kept = patient(clock);
          const duplicate = patient(clock);
          const owners = { kept: kept.id, duplicate: duplicate.id, someone: newId() };
          const appointments = appointmentOwners.map((o, i) => appointment(clock, owners[o], 1 + i));
          const queueEntries = entryOwners.map((o, i) => queueEntry(clock, owners[o], i + 1));
          const merged = planPatientMerge({ kept, duplicate, appointments, queueEntries }, clock, desk, NOW);
          const after = <T extends { id: string; patientId: string }>(all: T[], changed: T[]) =>
            all.map((r) => changed.find((c) => c.id === r.id) ?? r);
          const mergedAppointments = after(appointments, merged.appointments);
          const mergedEntries = after(queueEntries, merged.queueEntries);
          // No visit is lost or left on the duplicate; nobody else's visit moves.
          expect(mergedAppointments.filter((a) => a.patientId === kept.id)).toHaveLength(
            appointmentOwners.filter((o) => o !== 'someone').length,
          );
          expect([...mergedAppointments, ...mergedEntries].some((r) => r.patientId === duplicate.id)).toBe(false);
          const undone = planPatientMergeUndo(
            {
              kept: merged.kept,
              duplicate: merged.duplicate,
              appointments: mergedAppointments,
              queueEntries: mergedEntries,
            },
            clock,
            admin,
          );
          expect(after(mergedAppointments, undone.appointments).map((a) => a.patientId)).toEqual(
            appointments.map((a) => a.patientId),
          );
          expect(after(mergedEntries, undone.queueEntries).map((e) => e.patientId)).toEqual(
            queueEntries.map((e) => e.patientId),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('an undo on a desk the merge has not fully reached still sends every moved visit back', () => {
    const mergingDesk = new HybridClock('desk-1');
    const adminDesk = new HybridClock('desk-2');
    const kept = patient(mergingDesk);
    const duplicate = patient(mergingDesk);
    const visit = appointment(mergingDesk, duplicate.id, 3);
    const entry = queueEntry(mergingDesk, duplicate.id, 7);
    const merged = planPatientMerge(
      { kept, duplicate, appointments: [visit], queueEntries: [entry] },
      mergingDesk,
      desk,
      NOW,
    );
    // The admin's desk has the merged patient record, but its visits still show the old owner:
    // each collection syncs on its own, and the moves are on their way.
    const undone = planPatientMergeUndo(
      { kept: merged.kept, duplicate: merged.duplicate, appointments: [visit], queueEntries: [entry] },
      adminDesk,
      admin,
    );
    // When the moves arrive, the undo's writes still win: the visits stay with the record they came from.
    const [moved] = merged.appointments;
    const [movedEntry] = merged.queueEntries;
    const [back] = undone.appointments;
    const [backEntry] = undone.queueEntries;
    expect(mergeRecords('appointments', moved!, back!).patientId).toBe(duplicate.id);
    expect(mergeRecords('queueEntries', movedEntry!, backEntry!).patientId).toBe(duplicate.id);
  });
});
