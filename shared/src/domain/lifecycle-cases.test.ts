import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { HybridClock } from './hlc.js';
import { checkTransition, undoTarget, type ActorRole, type Lifecycle } from './lifecycle.js';
import { mergeRecords } from './merge.js';
import { createRecord, DomainError, transitionRecord, type Actor } from './records.js';
import { appointmentLifecycle, type Appointment } from './schemas/appointment.js';
import { queueLifecycle, type QueueEntry } from './schemas/queue-entry.js';

/**
 * The offline situations a front desk actually meets, as a table: who did
 * what on which device while they could not see each other, and what every
 * replica shows once they have synced. Each story is merged in every order.
 */

const SITE = '0190a000-0000-7000-8000-000000000001';
const PATIENT = '0190a000-0000-7000-8000-000000000003';
const PROVIDER = '0190a000-0000-7000-8000-000000000004';
const T0 = Date.UTC(2026, 10, 23, 8, 0);

type Lifecycled = 'appointments' | 'queueEntries';
type RecordOf<K extends Lifecycled> = K extends 'appointments' ? Appointment : QueueEntry;

/** A device with its own clock and its own replica of the one record a story is about. */
interface Device<K extends Lifecycled> {
  actor: Actor;
  clock: HybridClock;
  record: RecordOf<K>;
}

function story<K extends Lifecycled>(collection: K) {
  let now = T0;
  const devices: Device<K>[] = [];
  const device = (id: string, role: ActorRole, source: Actor['source']): Device<K> => {
    const d = { actor: { id, role, source }, clock: new HybridClock(id, () => now), record: undefined as never };
    devices.push(d);
    return d;
  };
  const deskA = device('desk-a', 'desk', 'desk');
  const deskB = device('desk-b', 'desk', 'desk');
  const kiosk = device('kiosk-1', 'kiosk', 'kiosk');
  const created =
    collection === 'appointments'
      ? createRecord(
          'appointments',
          {
            id: '0190a000-0000-7000-8000-0000000000a1',
            siteId: SITE,
            patientId: PATIENT,
            providerId: PROVIDER,
            roomId: null,
            start: new Date(T0 + 3_600_000).toISOString(),
            end: new Date(T0 + 4_800_000).toISOString(),
            visitType: 'follow-up',
            status: 'booked',
            copayCents: null,
            notes: null,
          },
          deskA.clock,
          deskA.actor,
        )
      : createRecord(
          'queueEntries',
          {
            id: '0190a000-0000-7000-8000-0000000000b1',
            siteId: SITE,
            appointmentId: null,
            patientId: PATIENT,
            queue: 'reception',
            ticketCode: 'A-041',
            priority: 'normal',
            status: 'waiting',
            checkedInAt: new Date(T0).toISOString(),
            roomId: null,
          },
          kiosk.clock,
          kiosk.actor,
        );
  for (const d of devices) d.record = created as RecordOf<K>;

  return {
    deskA,
    deskB,
    kiosk,
    /** Time passes on every device's clock alike. */
    later(minutes = 1) {
      now += minutes * 60_000;
    },
    /** A step on one device, against what that device holds. */
    step(d: Device<K>, to: string) {
      d.record = transitionRecord(collection, d.record as never, to, d.clock, d.actor) as RecordOf<K>;
      now += 1_000;
    },
    /** Two devices exchange what they hold. */
    sync(a: Device<K>, b: Device<K>) {
      const merged = mergeRecords(collection, a.record as never, b.record as never) as RecordOf<K>;
      a.record = merged;
      b.record = merged;
    },
    /** What every replica converges to, checked to be the same in every merge order. */
    converged(): RecordOf<K> {
      const states = devices.map((d) => d.record);
      const results = permutations(states).map((order) =>
        order.reduce((acc, r) => mergeRecords(collection, acc as never, r as never) as RecordOf<K>),
      );
      for (const r of results) expect(canonicalJson(r)).toBe(canonicalJson(results[0]));
      return results[0]!;
    },
  };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
  );
}

const openFlags = (record: { attention: Record<string, { resolvedAt: string | null; reason: string }> }) =>
  Object.values(record.attention).filter((f) => f.resolvedAt === null);

interface Case {
  name: string;
  run: () => { status: string; attention: Record<string, { resolvedAt: string | null; reason: string }> };
  status: string;
  /** A fragment of the open flag's reason; null when nothing needs attention. */
  flag: RegExp | null;
}

const appointmentCases: Case[] = [
  {
    name: 'check-in on the kiosk, then a no-show on the desk, both offline',
    status: 'checked-in',
    flag: /"noshow" by desk-a was made while the patient was already "checked-in"/,
    run: () => {
      const s = story('appointments');
      s.step(s.kiosk, 'checked-in');
      s.later(20);
      s.step(s.deskA, 'noshow');
      return s.converged();
    },
  },
  {
    name: 'no-show on the desk, then check-in on the kiosk, both offline',
    status: 'checked-in',
    flag: /"noshow" by desk-a was overridden: the patient was "checked-in"/,
    run: () => {
      const s = story('appointments');
      s.step(s.deskA, 'noshow');
      s.later(5);
      s.step(s.kiosk, 'checked-in');
      return s.converged();
    },
  },
  {
    name: 'cancel on the desk, then check-in on the kiosk, both offline',
    status: 'checked-in',
    flag: /"cancelled" by desk-a was overridden/,
    run: () => {
      const s = story('appointments');
      s.step(s.deskA, 'cancelled');
      s.step(s.kiosk, 'checked-in');
      return s.converged();
    },
  },
  {
    name: 'check-in on the kiosk, then cancel on the desk, both offline',
    status: 'checked-in',
    flag: /"cancelled" by desk-a was made while the patient was already "checked-in"/,
    run: () => {
      const s = story('appointments');
      s.step(s.kiosk, 'checked-in');
      s.step(s.deskA, 'cancelled');
      return s.converged();
    },
  },
  {
    name: 'a no-show taken back when the patient turns up late, then checked in at the kiosk',
    status: 'checked-in',
    flag: null,
    run: () => {
      const s = story('appointments');
      s.step(s.deskA, 'noshow');
      s.later(25);
      s.step(s.deskA, 'booked');
      s.sync(s.deskA, s.kiosk);
      s.step(s.kiosk, 'checked-in');
      return s.converged();
    },
  },
  {
    name: 'two desks take back the same no-show, one then checks the patient in',
    status: 'checked-in',
    flag: null,
    run: () => {
      const s = story('appointments');
      s.step(s.deskA, 'noshow');
      s.sync(s.deskA, s.deskB);
      s.step(s.deskA, 'booked');
      s.step(s.deskA, 'checked-in');
      s.step(s.deskB, 'booked');
      return s.converged();
    },
  },
  {
    name: 'a cancelled appointment restored',
    status: 'booked',
    flag: null,
    run: () => {
      const s = story('appointments');
      s.step(s.deskA, 'cancelled');
      s.sync(s.deskA, s.deskB);
      s.later(60);
      s.step(s.deskB, 'booked');
      return s.converged();
    },
  },
  {
    name: 'a check-in undone on the desk (the wrong patient was checked in)',
    status: 'booked',
    flag: null,
    run: () => {
      const s = story('appointments');
      s.step(s.kiosk, 'checked-in');
      s.sync(s.kiosk, s.deskA);
      s.step(s.deskA, 'booked');
      return s.converged();
    },
  },
  {
    name: 'a check-in undone on one desk while the other desk had marked the patient arrived',
    status: 'arrived',
    flag: /"booked" by desk-b took back "checked-in", but the record had meanwhile become "arrived"/,
    run: () => {
      const s = story('appointments');
      s.step(s.kiosk, 'checked-in');
      s.sync(s.kiosk, s.deskA);
      s.sync(s.kiosk, s.deskB);
      s.step(s.deskA, 'arrived');
      s.step(s.deskB, 'booked');
      return s.converged();
    },
  },
];

const queueCases: Case[] = [
  {
    name: 'two desks call the same ticket',
    status: 'called',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskB, 'called');
      return s.converged();
    },
  },
  {
    name: 'un-call, then a no-show by another desk that saw the un-call',
    status: 'no-show',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'waiting');
      s.sync(s.deskA, s.deskB);
      s.later(10);
      s.step(s.deskB, 'no-show');
      return s.converged();
    },
  },
  {
    name: 'un-call, then a no-show by a desk that never saw the call',
    status: 'no-show',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'waiting');
      s.later(10);
      s.step(s.deskB, 'no-show');
      return s.converged();
    },
  },
  {
    name: 'a no-show made while another desk had the ticket called (the call later undone)',
    status: 'waiting',
    flag: /"no-show" by desk-b was made while the patient was already "called"/,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskB, 'no-show');
      s.step(s.deskA, 'waiting');
      return s.converged();
    },
  },
  {
    name: 'in-room on one desk, then "left" on a desk that still saw waiting',
    status: 'in-room',
    flag: /"left" by desk-b was made while the patient was already "in-room"/,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'in-room');
      s.step(s.deskB, 'left');
      return s.converged();
    },
  },
  {
    name: '"left" on one desk, then in-room on a desk that had called the patient',
    status: 'in-room',
    flag: /"left" by desk-b was overridden: the patient was "called"/,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskB, 'left');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'in-room');
      return s.converged();
    },
  },
  {
    name: 'an un-call made after another desk had taken the patient into a room',
    status: 'in-room',
    flag: /"waiting" by desk-b took back "called", but the record had meanwhile become "in-room"/,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.sync(s.deskA, s.deskB);
      s.step(s.deskA, 'in-room');
      s.step(s.deskB, 'waiting');
      return s.converged();
    },
  },
  {
    name: 'a late call from a desk that did not see the patient go into the room',
    status: 'in-room',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'in-room');
      s.step(s.deskB, 'called');
      return s.converged();
    },
  },
  {
    name: '"done" clicked on the wrong row and undone',
    status: 'in-room',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'in-room');
      s.step(s.deskA, 'done');
      s.step(s.deskA, 'in-room');
      return s.converged();
    },
  },
  {
    name: 'a late "in-room" from a desk that did not see the visit finish does not reopen it',
    status: 'done',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.sync(s.deskA, s.deskB);
      s.step(s.deskA, 'in-room');
      s.step(s.deskA, 'done');
      s.step(s.deskB, 'in-room');
      return s.converged();
    },
  },
  {
    name: 'a no-show taken back when the patient comes back to the desk',
    status: 'waiting',
    flag: null,
    run: () => {
      const s = story('queueEntries');
      s.step(s.deskA, 'called');
      s.step(s.deskA, 'no-show');
      s.later(15);
      s.step(s.deskA, 'waiting');
      return s.converged();
    },
  },
];

describe('offline lifecycle cases', () => {
  it.each([...appointmentCases, ...queueCases])('$name => $status', ({ run, status, flag }) => {
    const record = run();
    expect(record.status).toBe(status);
    const open = openFlags(record);
    if (flag === null) expect(open).toEqual([]);
    else expect(open.map((f) => f.reason)).toEqual([expect.stringMatching(flag)]);
  });

  it('keeps the first call time when two desks call the same ticket', () => {
    const s = story('queueEntries');
    s.step(s.deskA, 'called');
    const firstCall = s.deskA.record.calledAt;
    s.later(2);
    s.step(s.deskB, 'called');
    expect(s.converged().calledAt).toBe(firstCall);
  });

  it('clears the check-in time when a check-in is undone', () => {
    const s = story('appointments');
    s.step(s.kiosk, 'checked-in');
    s.sync(s.kiosk, s.deskA);
    expect(s.deskA.record.checkedInAt).not.toBeNull();
    s.step(s.deskA, 'booked');
    const undone = s.converged();
    expect([undone.checkedInAt, undone.checkInSource]).toEqual([null, null]);
  });
});

describe('who may make which step', () => {
  const rules: [ActorRole, Lifecycle<string>, string | null, string, boolean][] = [
    ['kiosk', appointmentLifecycle, 'booked', 'checked-in', true],
    ['kiosk', appointmentLifecycle, 'noshow', 'checked-in', false],
    ['kiosk', appointmentLifecycle, 'booked', 'cancelled', false],
    ['kiosk', appointmentLifecycle, 'checked-in', 'booked', false],
    ['kiosk', queueLifecycle, null, 'waiting', true],
    ['kiosk', queueLifecycle, 'waiting', 'called', false],
    ['kiosk', queueLifecycle, 'waiting', 'left', false],
    ['display', appointmentLifecycle, 'booked', 'checked-in', false],
    ['display', queueLifecycle, null, 'waiting', false],
    ['display', queueLifecycle, 'waiting', 'called', false],
    ['desk', appointmentLifecycle, 'noshow', 'booked', true],
    ['desk', appointmentLifecycle, 'cancelled', 'booked', true],
    ['desk', appointmentLifecycle, 'checked-in', 'booked', true],
    ['desk', queueLifecycle, 'called', 'waiting', true],
    ['desk', queueLifecycle, 'no-show', 'waiting', true],
    ['desk', queueLifecycle, 'done', 'in-room', true],
  ];

  it.each(rules)('%s: %s %s -> %s allowed: %s', (role, lifecycle, from, to, allowed) => {
    expect(checkTransition(lifecycle as Lifecycle<string>, role, from, to).ok).toBe(allowed);
  });

  it('refuses a step the lifecycle does not have, saying why', () => {
    const s = story('appointments');
    s.step(s.deskA, 'checked-in');
    s.step(s.deskA, 'fulfilled');
    expect(() => s.step(s.deskA, 'noshow')).toThrow(/cannot go from "fulfilled" to "noshow"/);
  });

  it('refuses a kiosk anything but a check-in, and the display everything, saying why', () => {
    const s = story('appointments');
    expect(() => s.step(s.kiosk, 'cancelled')).toThrow(DomainError);
    expect(() => s.step(s.kiosk, 'cancelled')).toThrow(/role "kiosk" may not move a appointment to "cancelled"/);
    const display: Actor = { id: 'display-1', role: 'display', source: 'desk' };
    const q = story('queueEntries');
    expect(() => transitionRecord('queueEntries', q.deskA.record, 'called', q.deskA.clock, display)).toThrow(
      /role "display" may not/,
    );
  });

  it('offers the undo staff expect for each step they can take back', () => {
    expect(undoTarget(queueLifecycle, 'called')).toBe('waiting');
    expect(undoTarget(queueLifecycle, 'no-show')).toBe('waiting');
    expect(undoTarget(queueLifecycle, 'done')).toBe('in-room');
    expect(undoTarget(queueLifecycle, 'waiting')).toBeNull();
    expect(undoTarget(appointmentLifecycle, 'checked-in')).toBe('booked');
    expect(undoTarget(appointmentLifecycle, 'noshow')).toBe('booked');
    expect(undoTarget(appointmentLifecycle, 'cancelled')).toBe('booked');
    for (const lifecycle of [queueLifecycle, appointmentLifecycle] as Lifecycle<string>[]) {
      // Every undo is a step the lifecycle allows, so a desk can always make it.
      for (const [from, to] of lifecycle.undo ?? []) expect(lifecycle.transitions[from]).toContain(to);
    }
  });
});
