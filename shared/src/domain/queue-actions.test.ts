import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from './hlc.js';
import { newId } from './ids.js';
import {
  assignRoom,
  callToRoom,
  callableRooms,
  finishVisit,
  markNoShow,
  nextToCall,
  passedOver,
  queueActionsFor,
  recall,
  requeue,
  roomUse,
  sendIn,
  statusSince,
  undoLastStep,
  undoStatus,
  type QueueAction,
} from './queue-actions.js';
import { createRecord, DomainError, parseRecord, type Actor } from './records.js';
import type { QueueEntry, QueuePriority } from './schemas/queue-entry.js';
import type { Room } from './schemas/room.js';

const T9 = Date.UTC(2026, 10, 23, 14, 0);
const actor: Actor = { id: 'desk-user', role: 'desk', source: 'desk' };
const SITE = newId();

/** A clock whose wall time the test moves, so "since" times are exact. */
function stepAt(minutes: number) {
  return { clock: new HybridClock('desk-a', () => T9 + minutes * 60_000), actor };
}

function waiting(ticket: string, checkedInMinutes: number, priority: QueuePriority = 'normal'): QueueEntry {
  return createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: SITE,
      appointmentId: null,
      patientId: newId(),
      queue: 'reception',
      ticketCode: ticket,
      priority,
      status: 'waiting',
      checkedInAt: new Date(T9 + checkedInMinutes * 60_000).toISOString(),
      roomId: null,
    },
    stepAt(checkedInMinutes).clock,
    actor,
  );
}

function room(name: string, status: Room['status'] = 'available'): Room {
  return {
    id: newId(),
    siteId: SITE,
    name,
    kind: 'exam',
    equipment: [],
    status,
    clocks: {},
    attention: {},
    needsAttention: false,
  };
}

const none = { appointmentsById: new Map<string, { start: string }>() };

describe('calling', () => {
  it('calls the head of the derived order next, and a call of anyone else passes over those ahead', () => {
    const first = waiting('A-001', 0);
    const second = waiting('A-002', 1);
    const urgent = waiting('A-003', 2, 'urgent');
    const entries = [first, second, urgent];
    expect(nextToCall(entries, none)?.ticketCode).toBe('A-003');
    expect(passedOver(entries, urgent.id, none)).toEqual([]);
    expect(passedOver(entries, second.id, none).map((e) => e.ticketCode)).toEqual(['A-003', 'A-001']);
    expect(nextToCall([], none)).toBeNull();
  });

  it('takes the patient to the room: called with the room and the call time, then in the room', () => {
    const exam = room('Exam 1');
    const called = callToRoom(waiting('A-001', 0), exam.id, stepAt(5));
    expect(called).toMatchObject({
      status: 'called',
      roomId: exam.id,
      calledAt: new Date(T9 + 5 * 60_000).toISOString(),
    });
    const inRoom = sendIn(called, stepAt(7));
    expect(inRoom.status).toBe('in-room');
    expect(statusSince(inRoom)).toBe(new Date(T9 + 7 * 60_000).toISOString());
    expect(finishVisit(inRoom, stepAt(20)).status).toBe('done');
  });

  it('keeps the reason for a call out of turn, and clears it on a later call in turn', () => {
    const exam = room('Exam 1');
    const out = callToRoom(waiting('A-002', 1), exam.id, stepAt(5), '  Needs to leave for dialysis ');
    expect(out.callReason).toBe('Needs to leave for dialysis');
    expect(parseRecord('queueEntries', out).ok).toBe(true);
    const again = callToRoom(undoLastStep(out, stepAt(6)), exam.id, stepAt(7));
    expect(again.callReason).toBeNull();
    expect(callToRoom(waiting('A-003', 1), exam.id, stepAt(5), '   ').callReason).toBeUndefined();
  });

  it('recalls a called ticket with a fresh call time and the same room', () => {
    const exam = room('Exam 1');
    const called = callToRoom(waiting('A-001', 0), exam.id, stepAt(5));
    const again = recall(called, stepAt(9));
    expect(again).toMatchObject({
      status: 'called',
      roomId: exam.id,
      calledAt: new Date(T9 + 9 * 60_000).toISOString(),
    });
    expect(() => recall(waiting('A-002', 0), stepAt(9))).toThrow(DomainError);
  });

  it('changes the room of a called patient without another call', () => {
    const [one, two] = [room('Exam 1'), room('Exam 2')];
    const called = callToRoom(waiting('A-001', 0), one.id, stepAt(5));
    const moved = assignRoom(called, two.id, stepAt(6));
    expect(moved).toMatchObject({ status: 'called', roomId: two.id, calledAt: called.calledAt });
  });
});

describe('taking steps back', () => {
  it('undoes a call (back to waiting, out of the room), a done and a no-show; not a step with no undo', () => {
    const exam = room('Exam 1');
    const called = callToRoom(waiting('A-001', 0), exam.id, stepAt(5));
    expect(undoLastStep(called, stepAt(6))).toMatchObject({ status: 'waiting', roomId: null, calledAt: null });
    const done = finishVisit(sendIn(called, stepAt(6)), stepAt(20));
    expect(undoLastStep(done, stepAt(21))).toMatchObject({ status: 'in-room', roomId: exam.id });
    const absent = markNoShow(waiting('A-002', 0), stepAt(30));
    expect(absent.roomId).toBeNull();
    expect(undoLastStep(absent, stepAt(31)).status).toBe('waiting');
    expect(undoStatus(sendIn(called, stepAt(6)))).toBeNull();
    expect(() => undoLastStep(waiting('A-003', 0), stepAt(1))).toThrow(/nothing to undo/);
  });

  it('requeues a patient sent out of the room: waiting again, keeping the ticket', () => {
    const exam = room('Exam 1');
    const inRoom = sendIn(callToRoom(waiting('A-001', 0), exam.id, stepAt(5)), stepAt(6));
    expect(requeue(inRoom, stepAt(15))).toMatchObject({ status: 'waiting', roomId: null, ticketCode: 'A-001' });
  });

  it('offers only actions the lifecycle allows, and every sequence of them leaves a valid record', () => {
    const exam = room('Exam 1');
    const apply = (entry: QueueEntry, action: QueueAction, minute: number): QueueEntry => {
      const step = stepAt(minute);
      switch (action) {
        case 'call':
          return callToRoom(entry, exam.id, step);
        case 'recall':
          return recall(entry, step);
        case 'send-in':
          return sendIn(entry, step);
        case 'change-room':
          return assignRoom(entry, room('Exam 9').id, step);
        case 'done':
          return finishVisit(entry, step);
        case 'requeue':
          return requeue(entry, step);
        case 'no-show':
          return markNoShow(entry, step);
        case 'undo':
          return undoLastStep(entry, step);
      }
    };
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 25 }), (choices) => {
        let entry = waiting('A-001', 0);
        choices.forEach((choice, i) => {
          const offered = queueActionsFor(entry.status);
          const action = offered[choice % offered.length]!;
          const before = entry.status;
          entry = apply(entry, action, i + 1);
          expect(parseRecord('queueEntries', entry).ok).toBe(true);
          if (action === 'undo') expect(entry.status).toBe(undoStatus({ status: before }));
          if (entry.status === 'waiting') expect(entry.roomId).toBeNull();
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('rooms', () => {
  it('shows who is in each room and since when, who is on the way, and a room out of service', () => {
    const [one, two, three, four] = [room('Exam 1'), room('Exam 2'), room('Lab', 'out-of-service'), room('Exam 4')];
    const inRoom = sendIn(callToRoom(waiting('A-001', 0), one.id, stepAt(5)), stepAt(7));
    const onTheWay = callToRoom(waiting('A-002', 1), two.id, stepAt(8));
    const done = finishVisit(sendIn(callToRoom(waiting('A-003', 1), four.id, stepAt(2)), stepAt(3)), stepAt(6));
    const uses = roomUse([one, two, three, four], [inRoom, onTheWay, done]);
    expect(uses.map((u) => [u.room.name, u.state, u.occupant?.ticketCode ?? null])).toEqual([
      ['Exam 1', 'occupied', 'A-001'],
      ['Exam 2', 'called', 'A-002'],
      ['Lab', 'out-of-service', null],
      ['Exam 4', 'available', null],
    ]);
    expect(uses[0]!.since).toBe(new Date(T9 + 7 * 60_000).toISOString());
    expect(callableRooms(roomUse([one, two, three, four], [inRoom, onTheWay])).map((u) => u.room.name)).toEqual([
      'Exam 4',
      'Exam 2',
      'Exam 1',
    ]);
  });

  it('keeps a room out of service while its last patient is still inside, and offers it to nobody', () => {
    const exam = room('Exam 1', 'out-of-service');
    const inside = sendIn(callToRoom(waiting('A-001', 0), exam.id, stepAt(2)), stepAt(3));
    const [use] = roomUse([exam], [inside]);
    expect(use).toMatchObject({ state: 'out-of-service', occupant: { ticketCode: 'A-001' } });
    expect(callableRooms([use!])).toEqual([]);
  });

  it('names the latest patient when two are in one room', () => {
    const exam = room('Exam 1');
    const earlier = sendIn(callToRoom(waiting('A-001', 0), exam.id, stepAt(2)), stepAt(3));
    const later = sendIn(callToRoom(waiting('A-002', 0), exam.id, stepAt(4)), stepAt(6));
    expect(roomUse([exam], [later, earlier])[0]?.occupant?.ticketCode).toBe('A-002');
  });
});
