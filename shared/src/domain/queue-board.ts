import type { QueueEntry } from './schemas/queue-entry.js';

/**
 * What a waiting-room screen says about each queue: how many are waiting and
 * how long a wait has typically been today. The typical wait is the median
 * time from check-in to call of the queue's most recent calls: the clinic's
 * own pace, which the room can see for itself, rather than a promise. Pure and
 * name-free: it needs only the display projection.
 */

/** Only this many of a queue's latest calls count: the pace of the last hour or two, not of the morning. */
export const TYPICAL_WAIT_SAMPLE = 20;

export type BoardEntry = Pick<QueueEntry, 'id' | 'queue' | 'status' | 'checkedInAt' | 'calledAt'> & {
  _deleted?: boolean;
};

export interface QueueSummary {
  queue: string;
  waiting: number;
  /** Whole minutes; null until the queue has had a call today. */
  typicalWaitMinutes: number | null;
}

/** One summary per queue that has entries, in queue-name order. */
export function summariseQueues(entries: readonly BoardEntry[]): QueueSummary[] {
  const byQueue = new Map<string, BoardEntry[]>();
  for (const entry of entries) {
    if (entry._deleted === true) continue;
    byQueue.set(entry.queue, [...(byQueue.get(entry.queue) ?? []), entry]);
  }
  return [...byQueue.keys()].sort().map((queue) => {
    const queued = byQueue.get(queue)!;
    const waits = queued
      .filter((e) => e.calledAt !== null && Date.parse(e.calledAt) >= Date.parse(e.checkedInAt))
      .sort((a, b) => Date.parse(b.calledAt!) - Date.parse(a.calledAt!) || (a.id < b.id ? -1 : 1))
      .slice(0, TYPICAL_WAIT_SAMPLE)
      .map((e) => (Date.parse(e.calledAt!) - Date.parse(e.checkedInAt)) / 60_000)
      .sort((a, b) => a - b);
    return {
      queue,
      waiting: queued.filter((e) => e.status === 'waiting').length,
      typicalWaitMinutes: waits.length === 0 ? null : Math.round(median(waits)),
    };
  });
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
