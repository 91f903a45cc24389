import { describe, expect, it } from 'vitest';
import { coalesceChanges } from './live.js';
import type { CommittedChange, Doc } from './store.js';

const SITE_A = '0190a000-0000-7000-8000-00000000000a';
const SITE_B = '0190a000-0000-7000-8000-00000000000b';
const record = (id: string, seq: number, status = 'waiting') => ({
  doc: { id, status, _deleted: false } as unknown as Doc,
  seq,
  siteIds: [SITE_A],
});
const change = (
  siteId: string,
  collection: CommittedChange['collection'],
  fromSeq: number,
  records: ReturnType<typeof record>[],
): CommittedChange => ({ siteId, collection, fromSeq, toSeq: Math.max(...records.map((r) => r.seq)), records });

describe('live changes sent together', () => {
  it("joins a site's consecutive changes of one collection into one event, each record at its latest state", () => {
    const joined = coalesceChanges([
      change(SITE_A, 'queueEntries', 10, [record('q1', 11), record('q2', 12)]),
      change(SITE_B, 'queueEntries', 40, [record('q9', 41)]),
      change(SITE_A, 'appointments', 12, [record('a1', 13)]),
      change(SITE_A, 'queueEntries', 12, [record('q1', 14, 'called')]),
    ]);
    expect(joined.map((c) => [c.siteId, c.collection, c.fromSeq, c.toSeq])).toEqual([
      [SITE_A, 'queueEntries', 10, 14],
      [SITE_B, 'queueEntries', 40, 41],
      [SITE_A, 'appointments', 12, 13],
    ]);
    // A device at seq 10 takes everything up to 14: q2 as it was, q1 as it is now.
    expect(joined[0]!.records.map((r) => [r.doc.id, r.seq, (r.doc as unknown as { status: string }).status])).toEqual([
      ['q2', 12, 'waiting'],
      ['q1', 14, 'called'],
    ]);
  });

  it('keeps apart changes that do not follow one another, so no device takes rows it never got', () => {
    const joined = coalesceChanges([
      change(SITE_A, 'queueEntries', 10, [record('q1', 11)]),
      change(SITE_A, 'queueEntries', 15, [record('q2', 16)]),
    ]);
    expect(joined.map((c) => [c.fromSeq, c.toSeq])).toEqual([
      [10, 11],
      [15, 16],
    ]);
  });
});
