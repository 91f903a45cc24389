import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sameJson } from './canonical-json.js';

/** The same value with every object's keys in reverse order: canonically the same. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe('sameJson', () => {
  const values = fc.anything({ withNullPrototype: false, maxDepth: 3 });

  it('agrees with comparing canonical JSON, for any two values', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('holds a value the same as itself with its keys in another order', () => {
    fc.assert(
      fc.property(values, (a) => {
        expect(sameJson(a, reordered(a))).toBe(true);
      }),
    );
  });

  it('tells apart what canonical JSON tells apart at the edges: null and absent keys, holes', () => {
    expect(sameJson({ a: null }, { a: undefined })).toBe(false);
    expect(sameJson({ a: null, b: undefined }, { a: undefined, b: 1 })).toBe(false);
    expect(sameJson({ a: undefined }, {})).toBe(true);
    expect(sameJson([undefined], [null])).toBe(true);
    expect(sameJson([NaN], [null])).toBe(true);
    // eslint-disable-next-line no-sparse-arrays
    expect(sameJson([, 1], [undefined, 1])).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
