import { describe, expect, it } from 'vitest';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import { mergeRecords } from './merge.js';
import {
  displayQueueEntrySchema,
  identityKey,
  kioskAppointmentSchema,
  kioskQueueEntrySchema,
  normalizeFamilyName,
  projectDisplayQueueEntry,
  projectKioskAppointment,
  projectKioskQueueEntry,
  replicaSchema,
  transitionReplica,
} from './projections.js';
import { changeRecord, createRecord, type Actor } from './records.js';
import { sha256Hex } from './sha256.js';

const desk: Actor = { id: 'desk-1', role: 'desk', source: 'desk' };
const kiosk: Actor = { id: 'kiosk-1', role: 'kiosk', source: 'kiosk' };
const siteId = newId();

function fullAppointment(clock = new HybridClock('desk')) {
  return createRecord(
    'appointments',
    {
      id: newId(),
      siteId,
      patientId: newId(),
      providerId: newId(),
      roomId: newId(),
      start: '2026-11-23T09:00:00.000Z',
      end: '2026-11-23T09:20:00.000Z',
      visitType: 'follow-up',
      status: 'booked',
      copayCents: 2500,
      notes: 'allergic to penicillin',
    },
    clock,
    desk,
  );
}

const patient = { givenName: 'María', familyName: "O'Brien-Núñez", dob: '1980-02-29' };

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('identityKey', () => {
  it('finds a patient however the family name is typed', () => {
    expect(normalizeFamilyName("O'Brien-Núñez")).toBe('obriennunez');
    expect(identityKey("O'Brien-Núñez", '1980-02-29')).toBe(identityKey(' obrien nunez ', '1980-02-29'));
    expect(identityKey('Obrien', '1980-02-29')).not.toBe(identityKey('Obrien', '1980-02-28'));
    expect(identityKey('Obrien', '1980-02-29')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('kiosk appointment projection', () => {
  it('holds no notes, copay, room or visit type and only the clocks of kept fields', () => {
    const projected = projectKioskAppointment(fullAppointment(), { patient, provider: { displayName: 'Dr. Ada' } });
    expect(kioskAppointmentSchema.safeParse(projected).success).toBe(true);
    for (const field of ['notes', 'copayCents', 'roomId', 'visitType']) expect(projected).not.toHaveProperty(field);
    expect(Object.keys(projected.clocks).sort()).toEqual(['end', 'patientId', 'providerId', 'siteId', 'start']);
    expect(projected).toMatchObject({
      providerDisplayName: 'Dr. Ada',
      patientGivenName: 'María',
      patientFamilyInitial: 'O',
      identityKey: identityKey("O'Brien-Núñez", '1980-02-29'),
    });
    expect(JSON.stringify(projected)).not.toMatch(/penicillin|Brien|1980/);
  });

  it("never carries the no-show model's score: patients must not see it (docs/architecture.md §9.8)", () => {
    const scored = changeRecord(
      'appointments',
      fullAppointment(),
      { noShowRisk: { probability: 0.42, band: 'high', scoredAt: '2026-11-22T06:00:00.000Z', model: 'm1' } },
      new HybridClock('server-1'),
    );
    const projected = projectKioskAppointment(scored, { patient, provider: null });
    expect(projected).not.toHaveProperty('noShowRisk');
    expect(projected.clocks).not.toHaveProperty('noShowRisk');
    // Even sent by mistake, the kiosk's schema drops it before it is stored.
    const stored = replicaSchema('kiosk', 'appointments').parse({ ...projected, noShowRisk: scored.noShowRisk });
    expect(stored).not.toHaveProperty('noShowRisk');
  });

  it('a check-in made on the projection merges into the full record without losing a field', () => {
    const full = fullAppointment();
    const projected = projectKioskAppointment(full, { patient, provider: null });
    const checkedIn = transitionReplica(
      'kiosk',
      'appointments',
      projected,
      'checked-in',
      new HybridClock('kiosk'),
      kiosk,
    );
    const merged = mergeRecords('appointments', full, checkedIn as never);
    expect(merged).toMatchObject({
      status: 'checked-in',
      checkInSource: 'kiosk',
      notes: 'allergic to penicillin',
      copayCents: 2500,
      roomId: full.roomId,
      visitType: 'follow-up',
    });
    expect(merged.clocks).toEqual(full.clocks);
    // Either order gives the same record.
    expect(mergeRecords('appointments', checkedIn as never, full)).toEqual(merged);
  });
});

describe('queue entry projections', () => {
  const entry = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId,
      appointmentId: newId(),
      patientId: newId(),
      queue: 'reception',
      ticketCode: 'A-041',
      priority: 'normal',
      status: 'waiting',
      checkedInAt: '2026-11-23T08:55:00.000Z',
      roomId: newId(),
    },
    new HybridClock('desk'),
    desk,
  );

  it('a display entry holds a ticket, a status, a room and a time, and nothing about the patient', () => {
    const projected = projectDisplayQueueEntry({ ...entry, _deleted: false }, 'Room 3');
    expect(displayQueueEntrySchema.safeParse(projected).success).toBe(true);
    expect(Object.keys(projected).sort()).toEqual(
      [
        '_deleted',
        'calledAt',
        'checkedInAt',
        'id',
        'queue',
        'roomId',
        'roomName',
        'siteId',
        'status',
        'ticketCode',
      ].sort(),
    );
  });

  it('a kiosk entry has no patient or appointment', () => {
    const projected = projectKioskQueueEntry(entry);
    expect(kioskQueueEntrySchema.safeParse(projected).success).toBe(true);
    expect(projected).not.toHaveProperty('patientId');
    expect(projected).not.toHaveProperty('appointmentId');
    expect(projected.clocks).not.toHaveProperty('patientId');
  });

  it('each role stores what it is sent', () => {
    expect(replicaSchema('display', 'queueEntries').safeParse(projectDisplayQueueEntry(entry, null)).success).toBe(
      true,
    );
    expect(replicaSchema('kiosk', 'queueEntries').safeParse(projectKioskQueueEntry(entry)).success).toBe(true);
    expect(replicaSchema('kiosk', 'queueEntries').safeParse(entry).success).toBe(true);
    expect(replicaSchema('desk', 'queueEntries').safeParse(entry).success).toBe(true);
  });
});
