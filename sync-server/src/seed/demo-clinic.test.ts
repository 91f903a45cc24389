import {
  collectionNames,
  decodeHlc,
  localDateAt,
  localTimeAt,
  parseRecord,
  type Appointment,
  type CollectionName,
} from '@medisync/shared/domain';
import { describe, expect, it } from 'vitest';
import { buildDemoClinic, clinicMorningTimezone, DEMO_TIMEZONE, seededRandom, type DemoClinic } from './demo-clinic.js';

// A Monday mid-morning in New York (UTC-5 in November).
const MONDAY_MORNING = new Date('2026-11-23T15:40:00Z');
const clinic = buildDemoClinic({ today: MONDAY_MORNING });
const todayIn = (when: Date, c: DemoClinic) =>
  c.appointments.filter((a) => localDateAt(new Date(a.start), DEMO_TIMEZONE) === localDateAt(when, DEMO_TIMEZONE));

function everyRecord(c: DemoClinic): [CollectionName, unknown][] {
  return collectionNames.flatMap((name) => (c[name] as unknown[]).map((r): [CollectionName, unknown] => [name, r]));
}

function expectNoOverlaps(appointments: Appointment[]) {
  const holding = appointments.filter((a) => !['cancelled', 'noshow', 'entered-in-error'].includes(a.status));
  const byProvider = new Map<string, Appointment[]>();
  for (const a of holding) byProvider.set(a.providerId, [...(byProvider.get(a.providerId) ?? []), a]);
  for (const list of byProvider.values()) {
    const sorted = [...list].sort((x, y) => x.start.localeCompare(y.start));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start >= sorted[i - 1]!.end).toBe(true);
  }
}

describe('buildDemoClinic', () => {
  it('makes records that all pass their collection schema', () => {
    const failures = everyRecord(clinic)
      .map(([name, record]) => ({ name, result: parseRecord(name, record) }))
      .filter((r) => !r.result.ok);
    expect(failures).toEqual([]);
  });

  it('is one New York clinic with four providers, four weekly schedules and six rooms', () => {
    expect(clinic.sites).toHaveLength(1);
    expect(clinic.sites[0]).toMatchObject({
      name: 'Riverside Family Clinic',
      timezone: 'America/New_York',
      queuePrefixes: { reception: 'A', lab: 'L' },
    });
    expect(clinic.providers).toHaveLength(4);
    expect(new Set(clinic.providers.map((p) => p.specialty)).size).toBe(4);
    expect(clinic.schedules).toHaveLength(4);
    expect(new Set(clinic.schedules.map((s) => s.slotMinutes))).toEqual(new Set([15, 20, 30]));
    for (const schedule of clinic.schedules) {
      expect(new Set(schedule.weeklyHours.map((h) => h.weekday))).toEqual(new Set([1, 2, 3, 4, 5]));
    }
    expect(clinic.rooms).toHaveLength(6);
    expect(new Set(clinic.rooms.map((r) => r.kind))).toEqual(new Set(['exam', 'procedure', 'lab']));
  });

  it('has about 300 varied patients, none a probable duplicate of another, MRNs left to the server', () => {
    const { patients } = clinic;
    expect(patients).toHaveLength(300);
    expect(new Set(patients.map((p) => `${p.familyName.toLowerCase()}|${p.dob}`)).size).toBe(300);
    expect(patients.every((p) => p.mrn === null)).toBe(true);
    expect(new Set(patients.map((p) => p.preferredLanguage))).toEqual(new Set(['en', 'es', 'fr', 'de', 'vi', 'zh']));
    expect(new Set(patients.map((p) => p.familyName)).size).toBeGreaterThan(100);
    const insured = patients.filter((p) => p.insurance !== null).length;
    expect(insured / patients.length).toBeGreaterThan(0.75);
    expect(patients.some((p) => p.dob > '2010-01-01')).toBe(true);
    expect(patients.some((p) => p.dob < '1950-01-01')).toBe(true);
  });

  it('books about 80 appointments today in New York, without overlaps per provider', () => {
    const today = todayIn(MONDAY_MORNING, clinic);
    expect(today.length).toBeGreaterThanOrEqual(70);
    expect(today.length).toBeLessThanOrEqual(90);
    expect(new Set(today.map((a) => a.providerId)).size).toBe(4);
    for (const a of today) {
      const localStart = new Intl.DateTimeFormat('en-GB', {
        timeZone: DEMO_TIMEZONE,
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(a.start));
      expect(localStart >= '08:00' && localStart < '18:00').toBe(true);
    }
    expectNoOverlaps(clinic.appointments);
  });

  it('shows the morning so far: visits fulfilled, patients checked in with A-tickets, later ones booked', () => {
    const today = todayIn(MONDAY_MORNING, clinic);
    const statuses = new Set(today.map((a) => a.status));
    expect(statuses).toContain('fulfilled');
    expect(statuses).toContain('checked-in');
    expect(statuses).toContain('booked');
    const reception = clinic.queueEntries.filter(
      (q) =>
        q.queue === 'reception' &&
        localDateAt(new Date(q.checkedInAt), DEMO_TIMEZONE) === localDateAt(MONDAY_MORNING, DEMO_TIMEZONE),
    );
    const codes = reception.map((q) => q.ticketCode);
    expect(codes).toEqual(codes.map((_, i) => `A-${String(i + 1).padStart(3, '0')}`));
    expect(reception.some((q) => q.status === 'waiting')).toBe(true);
    expect(reception.some((q) => q.status === 'in-room' && q.roomId !== null)).toBe(true);
    // Every checked-in or fulfilled appointment today has its queue entry, and every entry its appointment.
    const arrived = today.filter((a) => a.status === 'checked-in' || a.status === 'fulfilled');
    expect(new Set(reception.map((q) => q.appointmentId))).toEqual(new Set(arrived.map((a) => a.id)));
    for (const entry of reception) {
      const appointment = arrived.find((a) => a.id === entry.appointmentId)!;
      expect(entry.patientId).toBe(appointment.patientId);
      expect(entry.checkedInAt).toBe(appointment.checkedInAt);
    }
  });

  it("keeps each past day's reception queue: a ticket per visit seen, numbered in order of arrival, called before the room", () => {
    const day = localDateAt(MONDAY_MORNING, DEMO_TIMEZONE);
    const past = clinic.queueEntries.filter((q) => localDateAt(new Date(q.checkedInAt), DEMO_TIMEZONE) < day);
    const seen = clinic.appointments.filter(
      (a) => a.status === 'fulfilled' && localDateAt(new Date(a.start), DEMO_TIMEZONE) < day,
    );
    expect(new Set(past.map((q) => q.appointmentId))).toEqual(new Set(seen.map((a) => a.id)));
    for (const entry of past) {
      expect(entry.status).toBe('done');
      expect(entry.calledAt! > entry.checkedInAt!).toBe(true);
    }
  });

  it('keeps a few hundred past appointments: fulfilled, no-shows and cancellations', () => {
    const past = clinic.appointments.filter((a) => a.end <= localDateAt(MONDAY_MORNING, DEMO_TIMEZONE));
    expect(past.length).toBeGreaterThanOrEqual(200);
    expect(new Set(past.map((a) => a.status))).toEqual(new Set(['fulfilled', 'noshow', 'cancelled']));
  });

  it('dates nothing after the instant it stands at', () => {
    const latest = Math.max(
      ...everyRecord(clinic).flatMap(([, record]) =>
        Object.values((record as { clocks: Record<string, string> }).clocks).map((hlc) => decodeHlc(hlc).wall),
      ),
    );
    expect(latest).toBeLessThanOrEqual(MONDAY_MORNING.getTime());
    for (const q of clinic.queueEntries)
      expect(Date.parse(q.checkedInAt)).toBeLessThanOrEqual(MONDAY_MORNING.getTime());
  });

  it('is deterministic: the same instant and random sequence give the same clinic, ids included', () => {
    expect(buildDemoClinic({ today: MONDAY_MORNING })).toEqual(clinic);
    const other = buildDemoClinic({ today: MONDAY_MORNING, random: seededRandom(7) });
    expect(other.sites[0]!.id).not.toBe(clinic.sites[0]!.id);
    expect(everyRecord(other).every(([name, record]) => parseRecord(name, record).ok)).toBe(true);
  });

  it.each([
    ['before opening', '2026-11-23T11:00:00Z'],
    ['after closing', '2026-11-24T02:00:00Z'],
    ['on a Sunday', '2026-11-22T16:00:00Z'],
    ['on the Sunday clocks go forward', '2026-03-08T16:00:00Z'],
  ])('still makes a valid day %s', (_label, instant) => {
    const when = new Date(instant);
    const built = buildDemoClinic({ today: when, random: seededRandom(11) });
    expect(everyRecord(built).every(([name, record]) => parseRecord(name, record).ok)).toBe(true);
    const today = todayIn(when, built);
    expect(today.length).toBeGreaterThanOrEqual(70);
    expectNoOverlaps(built.appointments);
    if (instant === '2026-11-22T16:00:00Z') {
      // The schedules open the weekend day with extra hours, so the bookings fit the schedule.
      expect(
        built.schedules.every((s) => s.exceptions.some((e) => e.kind === 'extra' && e.date === '2026-11-22')),
      ).toBe(true);
    }
  });
});

describe('clinicMorningTimezone', () => {
  it('finds a zone where it is between 06:00 and 07:00, at every quarter hour of the day', () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
      const now = new Date(Date.UTC(2026, 10, 30, 0, minutes, 30));
      expect(localTimeAt(now, clinicMorningTimezone(now))).toMatch(/^06:/);
    }
  });

  it('gives a clinic built in the evening its whole day booked ahead, and nobody arrived yet', () => {
    const evening = new Date('2026-11-30T23:40:00Z');
    const zone = clinicMorningTimezone(evening);
    const built = buildDemoClinic({ today: evening, timezone: zone });
    const ahead = built.appointments.filter((a) => a.status === 'booked' && Date.parse(a.start) > evening.getTime());
    expect(ahead.length).toBeGreaterThan(60);
    const today = localDateAt(evening, zone);
    expect(built.queueEntries.filter((q) => localDateAt(new Date(q.checkedInAt), zone) === today)).toEqual([]);
    expect(buildDemoClinic({ today: evening }).appointments.filter((a) => a.status === 'booked')).toEqual([]);
  });
});
