import fc from 'fast-check';
import { collectionSpec, lifecycleOf, type CollectionName, type RecordTypes } from '../collections.js';
import { HybridClock } from '../hlc.js';
import { mergeRecords, normalizeRecord } from '../merge.js';
import { changeRecord, createRecord, DomainError, resolveFlag, transitionRecord, type Actor } from '../records.js';
import type { AttentionFlag } from '../schemas/common.js';

/**
 * Generated concurrent histories of one record, for the merge properties.
 *
 * A history starts from one created record that every replica holds, then
 * interleaves what devices do offline (field edits, lifecycle steps with
 * allowed and refused targets, flag resolutions, server-raised flags) with
 * occasional syncs between two replicas. Every state a replica passes through
 * is kept, so the properties can merge old and new states in any grouping.
 */

const SITE = '0190a000-0000-7000-8000-000000000001';
const OTHER_SITE = '0190a000-0000-7000-8000-000000000002';
const PATIENT = '0190a000-0000-7000-8000-000000000003';
const PROVIDER = '0190a000-0000-7000-8000-000000000004';
const OTHER_PROVIDER = '0190a000-0000-7000-8000-000000000005';
const ROOM = '0190a000-0000-7000-8000-000000000006';
const OTHER_ROOM = '0190a000-0000-7000-8000-000000000007';
const APPOINTMENT = '0190a000-0000-7000-8000-000000000008';
const RECORD_ID = '0190a000-0000-7000-8000-0000000000ff';

/** 2026-11-23 08:00 UTC: the generated day's wall clock starts here. */
export const HISTORY_EPOCH = Date.UTC(2026, 10, 23, 8, 0, 0);

const at = (minutes: number) => new Date(HISTORY_EPOCH + minutes * 60_000).toISOString();

interface CollectionFixture {
  initial: Record<string, unknown>;
  /** Values each plain field may be set to, valid or not on their own. */
  patches: Record<string, fc.Arbitrary<unknown>>;
  /** Edits a screen makes in one go, made common so that they meet concurrently. */
  typicalEdits?: fc.Arbitrary<Record<string, unknown>>;
}

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const fixtures: { [K in CollectionName]: CollectionFixture } = {
  sites: {
    initial: { name: 'Northside Clinic', timezone: 'Europe/Berlin', queuePrefixes: { reception: 'A', lab: 'L' } },
    patches: {
      name: fc.constantFrom('Northside Clinic', 'Northside Family Clinic', 'Riverside'),
      timezone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC'),
      queuePrefixes: fc.constantFrom({ reception: 'A' }, { reception: 'A', lab: 'L' }, { reception: 'R', xray: 'XR' }),
    },
  },
  providers: {
    initial: { siteIds: [SITE], displayName: 'Dr. Ada Park', specialty: 'Family medicine', active: true },
    patches: {
      siteIds: fc.constantFrom([SITE], [SITE, OTHER_SITE]),
      displayName: fc.constantFrom('Dr. Ada Park', 'Dr. A. Park', 'Ada Park, MD'),
      specialty: nullable(fc.constantFrom('Family medicine', 'Paediatrics')),
      active: fc.boolean(),
    },
  },
  rooms: {
    initial: { siteId: SITE, name: 'Exam 1', kind: 'exam', equipment: [], status: 'available' },
    patches: {
      name: fc.constantFrom('Exam 1', 'Exam 1A', 'Room 1'),
      kind: fc.constantFrom('exam', 'procedure', 'consult'),
      equipment: fc.constantFrom([], ['ecg'], ['ecg', 'otoscope']),
      status: fc.constantFrom('available', 'occupied', 'cleaning', 'out-of-service'),
    },
  },
  schedules: {
    initial: {
      siteId: SITE,
      providerId: PROVIDER,
      slotMinutes: 15,
      weeklyHours: [{ weekday: 1, start: '08:00', end: '12:00' }],
      exceptions: [],
    },
    patches: {
      slotMinutes: fc.constantFrom(10, 15, 20, 30),
      weeklyHours: fc.constantFrom(
        [],
        [{ weekday: 1, start: '08:00', end: '12:00' }],
        [
          { weekday: 1, start: '08:00', end: '12:00' },
          { weekday: 3, start: '13:00', end: '17:30' },
        ],
      ),
      exceptions: fc.constantFrom(
        [],
        [{ date: '2026-11-23', kind: 'block', start: null, end: null, reason: 'training' }],
        [{ date: '2026-11-24', kind: 'extra', start: '14:00', end: '16:00', reason: null }],
      ),
    },
  },
  patients: {
    initial: {
      siteId: SITE,
      mrn: null,
      givenName: 'Mara',
      familyName: 'Lindqvist',
      dob: '1984-02-29',
      sex: 'female',
      phone: null,
      email: null,
      address: null,
      preferredLanguage: 'en',
      insurance: null,
      active: true,
      mergedInto: null,
    },
    patches: {
      mrn: nullable(fc.constantFrom('MRN-1', 'MRN-2')),
      givenName: fc.constantFrom('Mara', 'Maria', 'Mara J.'),
      familyName: fc.constantFrom('Lindqvist', 'Lindquist', 'Lindqvist-Ortiz'),
      dob: fc.constantFrom('1984-02-29', '1984-03-01'),
      phone: nullable(fc.constantFrom('+49 30 1234567', '+1 555 0100')),
      email: nullable(fc.constantFrom('mara@example.org', 'ml@example.com')),
      address: nullable(
        fc.constantFrom({
          line1: '1 Main St',
          line2: null,
          city: 'Springfield',
          region: null,
          postalCode: '12345',
          country: 'US',
        }),
      ),
      preferredLanguage: fc.constantFrom('en', 'es', 'de'),
      insurance: nullable(fc.constantFrom({ payer: 'Acme Health', memberId: 'X123', groupNumber: null })),
      active: fc.boolean(),
      mergedInto: nullable(fc.constantFrom(PATIENT)),
    },
  },
  appointments: {
    initial: {
      siteId: SITE,
      patientId: PATIENT,
      providerId: PROVIDER,
      roomId: null,
      start: at(60),
      end: at(80),
      visitType: 'follow-up',
      status: 'booked',
      copayCents: 2500,
      notes: null,
    },
    patches: {
      providerId: fc.constantFrom(PROVIDER, OTHER_PROVIDER),
      roomId: nullable(fc.constantFrom(ROOM, OTHER_ROOM)),
      // Start and end are edited separately, as a calendar drag does, so
      // concurrent moves and resizes meet in the merge.
      start: fc.constantFrom(at(60), at(120)),
      end: fc.constantFrom(at(80), at(100), at(140)),
      visitType: fc.constantFrom('follow-up', 'new-patient', 'vaccination'),
      copayCents: nullable(fc.constantFrom(0, 2500, 4000)),
      notes: nullable(fc.constantFrom('needs interpreter', 'wheelchair')),
    },
    // A drag on the calendar moves start and end; a resize moves the end only.
    typicalEdits: fc.oneof(
      fc.constantFrom({ start: at(120), end: at(140) }, { start: at(60), end: at(80) }),
      fc.record({ end: fc.constantFrom(at(80), at(100), at(140)) }),
      fc.record({ start: fc.constantFrom(at(60), at(120)) }),
    ),
  },
  queueEntries: {
    initial: {
      siteId: SITE,
      appointmentId: APPOINTMENT,
      patientId: PATIENT,
      queue: 'reception',
      ticketCode: 'A-041',
      priority: 'normal',
      status: 'waiting',
      checkedInAt: at(50),
      roomId: null,
    },
    patches: {
      queue: fc.constantFrom('reception', 'lab'),
      ticketCode: fc.constantFrom('A-041', 'A-7Q3-005', 'L-002'),
      priority: fc.constantFrom('normal', 'assist', 'urgent'),
      roomId: nullable(fc.constantFrom(ROOM, OTHER_ROOM)),
      appointmentId: nullable(fc.constantFrom(APPOINTMENT)),
    },
  },
  // A staff notice: the server writes it, a desk marks it read.
  notices: {
    initial: {
      siteId: SITE,
      kind: 'patient-cancelled',
      raisedAt: at(0),
      appointmentId: APPOINTMENT,
      patientId: PATIENT,
      offer: null,
      delivery: null,
      flag: null,
      readAt: null,
      readBy: null,
    },
    patches: {
      readAt: nullable(fc.constantFrom(at(5), at(9))),
      readBy: nullable(fc.constantFrom('desk-1', 'desk-2')),
      kind: fc.constantFrom('patient-cancelled', 'waitlist-offer'),
    },
  },
  // The ledger's invoice: the kind with a lifecycle and a list that desks edit.
  ledger: {
    initial: {
      kind: 'invoice',
      siteId: SITE,
      patientId: PATIENT,
      appointmentId: APPOINTMENT,
      currency: 'usd',
      lines: [{ chargeId: RECORD_ID, description: 'Copay', amountCents: 2500 }],
      insurance: null,
      paidCents: 0,
      refundedCents: 0,
      status: 'draft',
    },
    patches: {
      lines: fc.constantFrom(
        [],
        [{ chargeId: RECORD_ID, description: 'Copay', amountCents: 2500 }],
        [{ chargeId: RECORD_ID, description: 'Copay', amountCents: 4000 }],
      ),
      insurance: nullable(fc.constantFrom({ payer: 'Acme Health', memberId: 'X123', groupNumber: null })),
      paidCents: fc.constantFrom(0, 2500),
      refundedCents: fc.constantFrom(0, 1000),
    },
  },
};

const actors: Record<'desk' | 'kiosk' | 'display' | 'server', Actor> = {
  desk: { id: 'user-desk', role: 'desk', source: 'desk' },
  kiosk: { id: 'device-kiosk', role: 'kiosk', source: 'kiosk' },
  display: { id: 'device-display', role: 'display', source: 'desk' },
  server: { id: 'server', role: 'server', source: 'server' },
};

/** Flags the server raises (see sync-server rules): the only non-lifecycle flags. */
const serverFlags: { key: string; code: AttentionFlag['code'] }[] = [
  { key: `overlapping-booking:${APPOINTMENT}`, code: 'overlapping-booking' },
  { key: `duplicate-ticket-code:${APPOINTMENT}`, code: 'duplicate-ticket-code' },
  { key: `probable-duplicate-patient:${PATIENT}`, code: 'probable-duplicate-patient' },
];

export type HistoryStep =
  | { kind: 'wait'; ms: number }
  | { kind: 'change'; replica: number; patch: Record<string, unknown> }
  | { kind: 'transition'; replica: number; to: string; actor: keyof typeof actors }
  | { kind: 'resolve'; replica: number; pick: number }
  | { kind: 'raise'; replica: number; flag: number }
  | { kind: 'sync'; from: number; to: number }
  | { kind: 'delete'; replica: number };

export interface HistoryPlan {
  /** Wall-clock skew of each replica's device, in ms: devices disagree on the time. */
  skews: number[];
  steps: HistoryStep[];
}

export function historyPlan(name: CollectionName, maxReplicas = 4): fc.Arbitrary<HistoryPlan> {
  const spec = collectionSpec(name);
  const fixture = fixtures[name];
  return fc.integer({ min: 2, max: maxReplicas }).chain((replicas) => {
    const replica = fc.nat({ max: replicas - 1 });
    const steps: fc.Arbitrary<HistoryStep>[] = [
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
      fc.record({
        kind: fc.constant('change' as const),
        replica,
        patch: fixture.typicalEdits
          ? fc.oneof(fc.record(fixture.patches, { requiredKeys: [] }), fixture.typicalEdits)
          : fc.record(fixture.patches, { requiredKeys: [] }),
      }),
      fc.record({ kind: fc.constant('resolve' as const), replica, pick: fc.nat() }),
      fc.record({ kind: fc.constant('raise' as const), replica, flag: fc.nat({ max: serverFlags.length - 1 }) }),
      fc.record({ kind: fc.constant('sync' as const), from: replica, to: replica }),
    ];
    // Deleting is rare at a clinic (records are cancelled, not deleted), but tombstones replicate too.
    const rarely = fc.record({ kind: fc.constant('delete' as const), replica });
    const lifecycle = lifecycleOf(spec, fixture.initial);
    if (lifecycle) {
      const statuses = lifecycle.lifecycle.statuses;
      const transition = fc.record({
        kind: fc.constant('transition' as const),
        replica,
        to: fc.constantFrom(...statuses),
        actor: fc.constantFrom('desk', 'desk', 'kiosk', 'display', 'server') as fc.Arbitrary<keyof typeof actors>,
      });
      // Lifecycle steps are what offline conflicts are made of: make them common.
      steps.push(transition, transition, transition);
    }
    return fc.record({
      skews: fc.array(fc.integer({ min: -90_000, max: 90_000 }), { minLength: replicas, maxLength: replicas }),
      steps: fc.array(fc.oneof({ arbitrary: fc.oneof(...steps), weight: 30 }, { arbitrary: rarely, weight: 1 }), {
        minLength: 1,
        maxLength: 24,
      }),
    });
  });
}

export interface History<K extends CollectionName> {
  /** Every state any replica held, in the order they were made. */
  states: RecordTypes[K][];
  /** Each replica's state at the end of the history. */
  finals: RecordTypes[K][];
}

/** Plays a plan: each replica a device with its own clock, as a clinic's desks and kiosks are. */
export function playHistory<K extends CollectionName>(name: K, plan: HistoryPlan): History<K> {
  const fixture = fixtures[name];
  let now = HISTORY_EPOCH;
  const clocks = plan.skews.map((skew, i) => new HybridClock(`device-${i}`, () => now + skew));
  const created = createRecord(
    name,
    { id: RECORD_ID, ...fixture.initial } as never,
    clocks[0]!,
    name === 'queueEntries' ? actors.kiosk : actors.desk,
  );
  const replicas: RecordTypes[K][] = plan.skews.map(() => created);
  const states: RecordTypes[K][] = [created];
  for (const step of plan.steps) {
    if (step.kind === 'wait') {
      now += step.ms;
      continue;
    }
    const target = step.kind === 'sync' ? step.to : step.replica;
    const before = replicas[target]!;
    const after = attempt(() => applyStep(name, before, step, replicas, clocks[target]!, now)) ?? before;
    if (after === before) continue;
    replicas[target] = after;
    states.push(after);
    now += 1_000;
  }
  return { states, finals: replicas };
}

function applyStep<K extends CollectionName>(
  name: K,
  record: RecordTypes[K],
  step: Exclude<HistoryStep, { kind: 'wait' }>,
  replicas: RecordTypes[K][],
  clock: HybridClock,
  now: number,
): RecordTypes[K] {
  switch (step.kind) {
    case 'change':
      return changeRecord(name, record, step.patch as never, clock);
    case 'transition':
      return transitionRecord(name, record, step.to, clock, actors[step.actor]);
    case 'resolve': {
      const keys = Object.keys(record.attention).sort();
      if (keys.length === 0) return record;
      return resolveFlag(name, record, keys[step.pick % keys.length]!, actors.desk, new Date(now));
    }
    case 'raise': {
      // Mirrors the server's rules: a flag already there, open or resolved, is left alone.
      const { key, code } = serverFlags[step.flag]!;
      if (record.attention[key]) return record;
      const flag: AttentionFlag = {
        code,
        reason: `raised by the server (${code})`,
        raisedAt: new Date(now).toISOString(),
        resolvedAt: null,
        resolvedBy: null,
      };
      return normalizeRecord(name, { ...record, attention: { ...record.attention, [key]: flag } } as RecordTypes[K]);
    }
    case 'sync':
      return step.from === step.to ? record : mergeRecords(name, record, replicas[step.from]!);
    case 'delete':
      // What RxDB stores when a document is removed: the last state, marked deleted, with no clock of its own.
      return { ...record, _deleted: true };
  }
}

/** A refused step (a rule of the domain) leaves the replica as it was; anything else is a bug. */
function attempt<T>(step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}
