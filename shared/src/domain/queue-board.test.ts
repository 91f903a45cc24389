import { describe, expect, it } from 'vitest';
import { summariseQueues, TYPICAL_WAIT_SAMPLE, type BoardEntry } from './queue-board.js';

let n = 0;
function entry(
  queue: string,
  status: BoardEntry['status'],
  checkedIn: string,
  calledAfterMinutes?: number,
): BoardEntry {
  n += 1;
  const checkedInAt = `2026-03-02T${checkedIn}:00.000Z`;
  return {
    id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    queue,
    status,
    checkedInAt,
    calledAt:
      calledAfterMinutes === undefined
        ? null
        : new Date(Date.parse(checkedInAt) + calledAfterMinutes * 60_000).toISOString(),
  };
}

describe('the waiting-room summary per queue', () => {
  it('counts who is waiting and takes the median wait of the calls so far', () => {
    const summaries = summariseQueues([
      entry('reception', 'waiting', '09:00'),
      entry('reception', 'waiting', '09:05'),
      entry('reception', 'called', '08:30', 10),
      entry('reception', 'done', '08:00', 20),
      entry('reception', 'in-room', '08:10', 14),
      entry('lab', 'waiting', '09:00'),
    ]);
    expect(summaries).toEqual([
      { queue: 'lab', waiting: 1, typicalWaitMinutes: null },
      { queue: 'reception', waiting: 2, typicalWaitMinutes: 14 },
    ]);
  });

  it('weighs only the latest calls and ignores deleted entries', () => {
    const old = Array.from({ length: 30 }, () => entry('reception', 'done', '07:00', 60));
    const recent = Array.from({ length: TYPICAL_WAIT_SAMPLE }, () => entry('reception', 'done', '10:00', 5));
    const deleted = { ...entry('reception', 'waiting', '10:00'), _deleted: true };
    expect(summariseQueues([...old, ...recent, deleted])).toEqual([
      { queue: 'reception', waiting: 0, typicalWaitMinutes: 5 },
    ]);
  });

  it('says nothing when there is nothing', () => {
    expect(summariseQueues([])).toEqual([]);
  });
});
