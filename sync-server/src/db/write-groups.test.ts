import { describe, expect, it } from 'vitest';
import { WriteGroups } from './write-groups.js';

/** A group's run that waits until the test closes it, then answers each item doubled (or fails item -1). */
function heldRun() {
  const runs: { items: number[] }[] = [];
  const closers: (() => void)[] = [];
  const run = async (close: () => readonly number[]) => {
    const entry = { items: [] as number[] };
    runs.push(entry);
    await new Promise<void>((resolve) => closers.push(resolve));
    entry.items = [...close()];
    return entry.items.map((item): PromiseSettledResult<number> =>
      item < 0 ? { status: 'rejected', reason: new Error(`item ${item}`) } : { status: 'fulfilled', value: item * 2 },
    );
  };
  return { run, runs, closeNext: () => closers.shift()!() };
}

const fits = () => true;

describe('WriteGroups', () => {
  it('gathers the items that arrive while a group forms, and starts a new group once it has closed', async () => {
    const groups = new WriteGroups();
    const { run, runs, closeNext } = heldRun();
    const first = [1, 2, 3].map((item) => groups.join('site-a', item, 1, fits, run));
    expect(runs).toHaveLength(1);
    closeNext();
    expect(await Promise.all(first)).toEqual([2, 4, 6]);
    expect(runs[0]!.items).toEqual([1, 2, 3]);

    const later = groups.join('site-a', 4, 1, fits, run);
    expect(runs).toHaveLength(2);
    closeNext();
    expect(await later).toBe(8);
  });

  it('keeps keys apart, and starts a new group for an item that does not fit or would pass the row limit', async () => {
    const groups = new WriteGroups(10);
    const { run, runs, closeNext } = heldRun();
    const answers = [
      groups.join('site-a', 1, 6, fits, run),
      groups.join('site-b', 2, 1, fits, run),
      groups.join('site-a', 3, 5, fits, run),
      groups.join('site-a', 5, 1, (members: readonly number[]) => !members.includes(3), run),
      groups.join('site-a', 7, 1, fits, run),
    ];
    for (let i = 0; i < 4; i++) closeNext();
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 10, 14]);
    expect(runs.map((r) => r.items)).toEqual([[1], [2], [3], [5, 7]]);
  });

  it("gives each item its own failure, and a failed run's error to all of its items", async () => {
    const groups = new WriteGroups();
    const { run, closeNext } = heldRun();
    const mixed = [1, -1].map((item) => groups.join('site-a', item, 1, fits, run));
    closeNext();
    await expect(mixed[0]).resolves.toBe(2);
    await expect(mixed[1]).rejects.toThrow('item -1');

    const broken = [1, 2].map((item) =>
      groups.join('site-a', item, 1, fits, () => Promise.reject(new Error('no database'))),
    );
    for (const answer of broken) await expect(answer).rejects.toThrow('no database');
    // The failed group took no more items: the next one starts afresh.
    const next = groups.join('site-a', 3, 1, fits, run);
    closeNext();
    await expect(next).resolves.toBe(6);
  });
});
