import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calledEntries,
  duplicateArrivals,
  orderQueue,
  peopleAhead,
  queueTime,
  type QueuedEntry,
} from './queue-order.js';
import type { QueuePriority, QueueStatus } from './schemas/queue-entry.js';

const T9 = Date.UTC(2026, 10, 23, 9, 0);
const at = (minutes: number) => new Date(T9 + minutes * 60_000).toISOString();

interface Entry extends QueuedEntry {
  calledAt: string | null;
}

function entry(
  id: string,
  checkedInMinutes: number,
  more: { appointment?: string; priority?: QueuePriority; status?: QueueStatus; calledAt?: number } = {},
): Entry {
  return {
    id,
    status: more.status ?? 'waiting',
    priority: more.priority ?? 'normal',
    checkedInAt: at(checkedInMinutes),
    appointmentId: more.appointment ?? null,
    calledAt: more.calledAt === undefined ? null : at(more.calledAt),
  };
}

/** Appointments by id, named by their start: "appt-0900" starts at 09:00. */
const appointmentsById = new Map(
  [-60, -30, -15, 0, 10, 15, 20, 30, 45, 60, 90, 120].map((m) => [appointmentId(m), { start: at(m) }]),
);
function appointmentId(startMinutes: number) {
  const t = new Date(T9 + startMinutes * 60_000);
  return `appt-${String(t.getUTCHours()).padStart(2, '0')}${String(t.getUTCMinutes()).padStart(2, '0')}`;
}

const order = (entries: Entry[], earlyWindowMinutes?: number) =>
  orderQueue(entries, { appointmentsById, earlyWindowMinutes }).map((e) => e.id);

describe('a second arrival for one appointment', () => {
  it('keeps the earliest check-in in the order and sets the other apart', () => {
    const first = entry('b-first', 3, { appointment: appointmentId(30) });
    const second = entry('a-second', 5, { appointment: appointmentId(30) });
    const walkIn = entry('walk-in', 4);
    expect(order([second, walkIn, first])).toEqual(['walk-in', 'b-first']);
    expect([...duplicateArrivals([second, walkIn, first])]).toEqual(['a-second']);
  });

  it('lets a patient who left or did not answer arrive again', () => {
    const left = entry('left', 3, { appointment: appointmentId(30), status: 'left' });
    const again = entry('again', 20, { appointment: appointmentId(30) });
    expect(order([left, again])).toEqual(['again']);
    expect(duplicateArrivals([left, again]).size).toBe(0);
  });

  it('is the same on every replica whatever order the entries arrive in', () => {
    const twins = [0, 1, 2].map((i) => entry(`twin-${i}`, 10, { appointment: appointmentId(0) }));
    fc.assert(
      fc.property(fc.shuffledSubarray(twins, { minLength: 3 }), (arrived) => {
        expect(order(arrived)).toEqual(['twin-0']);
      }),
    );
  });
});

describe('orderQueue', () => {
  it('puts urgent before assist before normal, whoever came first', () => {
    const entries = [
      entry('normal', -30),
      entry('assist', -20, { priority: 'assist' }),
      entry('urgent', 5, { priority: 'urgent' }),
    ];
    expect(order(entries)).toEqual(['urgent', 'assist', 'normal']);
  });

  it('orders early patients by appointment time, not by when they arrived', () => {
    const entries = [
      entry('for-0930-came-0840', -20, { appointment: appointmentId(30) }),
      entry('for-0900-came-0850', -10, { appointment: appointmentId(0) }),
    ];
    expect(order(entries)).toEqual(['for-0900-came-0850', 'for-0930-came-0840']);
  });

  it('does not let arriving early jump ahead of a walk-in who was there before the appointment time', () => {
    const entries = [entry('for-0900-came-0830', -30, { appointment: appointmentId(0) }), entry('walk-in-0845', -15)];
    expect(order(entries)).toEqual(['walk-in-0845', 'for-0900-came-0830']);
  });

  it('treats a check-in up to the early window after the start as on time', () => {
    const entries = [entry('for-0900-came-0910', 10, { appointment: appointmentId(0) }), entry('walk-in-0905', 5)];
    expect(order(entries)).toEqual(['for-0900-came-0910', 'walk-in-0905']);
    expect(order(entries, 5)).toEqual(['walk-in-0905', 'for-0900-came-0910']);
  });

  it('queues a late arrival by check-in time, behind those booked after them who came on time', () => {
    const entries = [
      entry('for-0900-came-0930', 30, { appointment: appointmentId(0) }),
      entry('for-0920-came-0915', 15, { appointment: appointmentId(20) }),
      entry('walk-in-0925', 25),
    ];
    expect(order(entries)).toEqual(['for-0920-came-0915', 'walk-in-0925', 'for-0900-came-0930']);
  });

  it('counts a check-in exactly at the end of the window as on time', () => {
    const onTheDot = entry('x', 15, { appointment: appointmentId(0) });
    expect(queueTime(onTheDot, { appointmentsById })).toBe(T9);
    const aMinuteLate = entry('y', 16, { appointment: appointmentId(0) });
    expect(queueTime(aMinuteLate, { appointmentsById })).toBe(T9 + 16 * 60_000);
  });

  it('orders an entry whose appointment this replica does not hold as a walk-in', () => {
    const entries = [entry('unknown-appt', -5, { appointment: 'appt-not-here' }), entry('walk-in', -10)];
    expect(order(entries)).toEqual(['walk-in', 'unknown-appt']);
    expect(orderQueue(entries, { appointmentsById: {} }).map((e) => e.id)).toEqual(['walk-in', 'unknown-appt']);
  });

  it('breaks ties by check-in time, then id', () => {
    // Three appointments at the same time.
    const sameStart = new Map(['x', 'y', 'z'].map((id) => [id, { start: at(0) }]));
    const entries = [
      entry('b', -10, { appointment: 'x' }),
      entry('c', -20, { appointment: 'y' }),
      entry('a', -10, { appointment: 'z' }),
    ];
    expect(orderQueue(entries, { appointmentsById: sameStart }).map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });

  it('holds only waiting entries; called ones are listed apart, latest call first', () => {
    const entries = [
      entry('waiting', -10),
      entry('called-first', -30, { status: 'called', calledAt: 1 }),
      entry('called-last', -20, { status: 'called', calledAt: 4 }),
      entry('in-room', -40, { status: 'in-room' }),
      entry('done', -50, { status: 'done' }),
      entry('left', -5, { status: 'left' }),
      entry('no-show', -5, { status: 'no-show' }),
      { ...entry('deleted', -60), _deleted: true },
    ];
    expect(order(entries)).toEqual(['waiting']);
    expect(calledEntries(entries).map((e) => e.id)).toEqual(['called-last', 'called-first']);
  });

  it('says who is ahead of an entry', () => {
    const ordered = orderQueue([entry('a', -10), entry('b', -5), entry('c', 0)], { appointmentsById });
    expect(peopleAhead(ordered, 'c').map((e) => e.id)).toEqual(['a', 'b']);
    expect(peopleAhead(ordered, 'a')).toEqual([]);
    expect(peopleAhead(ordered, 'not-waiting')).toEqual([]);
  });

  const anEntry = fc.record({
    checkedIn: fc.integer({ min: -90, max: 120 }),
    appointment: fc.option(fc.constantFrom(...appointmentsById.keys(), 'appt-not-here'), { nil: undefined }),
    priority: fc.constantFrom<QueuePriority>('normal', 'normal', 'assist', 'urgent'),
    status: fc.constantFrom<QueueStatus>('waiting', 'waiting', 'waiting', 'called', 'done'),
  });
  const entries = fc
    .array(anEntry, { maxLength: 25 })
    .map((list) => list.map((e, i) => entry(`e${String(i).padStart(2, '0')}`, e.checkedIn, e)));

  it('is the same order whatever order the entries arrive in', () => {
    fc.assert(
      fc.property(
        entries.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([list, shuffled]) => {
          expect(order(shuffled)).toEqual(order(list));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds every waiting entry but second arrivals exactly once, by priority first', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const ordered = orderQueue(list, { appointmentsById });
        const duplicates = duplicateArrivals(list);
        expect(ordered.map((e) => e.id).sort()).toEqual(
          list
            .filter((e) => e.status === 'waiting' && !duplicates.has(e.id))
            .map((e) => e.id)
            .sort(),
        );
        const ranks = ordered.map((e) => ['urgent', 'assist', 'normal'].indexOf(e.priority));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('never moves a patient ahead for arriving later', () => {
    fc.assert(
      fc.property(
        entries,
        fc.constantFrom(...appointmentsById.keys()),
        fc.integer({ min: -90, max: 120 }),
        fc.integer({ min: 1, max: 60 }),
        (everyone, appointment, arrival, delay) => {
          const others = everyone.filter((e) => e.appointmentId !== appointment);
          const place = (minutes: number) => order([...others, entry('me', minutes, { appointment })]).indexOf('me');
          expect(place(arrival + delay)).toBeGreaterThanOrEqual(place(arrival));
        },
      ),
      { numRuns: 200 },
    );
  });
});
