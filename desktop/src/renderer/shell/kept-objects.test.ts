import { describe, expect, it } from 'vitest';
import { KeptObjects, shallowSame } from './kept-objects.js';

describe('KeptObjects: rows of a list redrawn from a live query', () => {
  it('hands back the previous pass’s row when nothing in it changed, the new row when something did', () => {
    const rows = new KeptObjects<{ ticket: string; status: string }>(shallowSame);
    const a041 = rows.keep('a', { ticket: 'A-041', status: 'waiting' });
    const a042 = rows.keep('b', { ticket: 'A-042', status: 'waiting' });
    rows.done();

    const same = rows.keep('a', { ticket: 'A-041', status: 'waiting' });
    const called = rows.keep('b', { ticket: 'A-042', status: 'called' });
    rows.done();

    expect(same).toBe(a041);
    expect(called).not.toBe(a042);
    expect(called.status).toBe('called');
  });

  it('lets go of a row the last pass did not keep', () => {
    const rows = new KeptObjects<{ ticket: string }>(shallowSame);
    const first = rows.keep('a', { ticket: 'A-041' });
    rows.done();
    rows.done();
    expect(rows.keep('a', { ticket: 'A-041' })).not.toBe(first);
  });

  it('compares flat objects key by key, extra keys included', () => {
    expect(shallowSame({ a: 1, b: 'x' }, { a: 1, b: 'x' })).toBe(true);
    expect(shallowSame({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toBe(false);
    expect(shallowSame<object>({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });
});
