/**
 * JSON with object keys sorted, so equal values always serialise the same way.
 * Used to compare records and to break last-writer-wins ties deterministically.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Whether two values have the same canonical JSON, without writing either out:
 * records are compared on every pushed row, and most pairs differ early or
 * share their nested objects.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aIsObject = typeof a === 'object' && a !== null;
  const bIsObject = typeof b === 'object' && b !== null;
  // Primitives that differ may still write out alike (NaN and null, undefined and null).
  if (!aIsObject && !bIsObject) return canonicalJson(a) === canonicalJson(b);
  if (!aIsObject || !bIsObject || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) {
      // A hole writes out as nothing, unlike an undefined element (null).
      if (i in a !== i in other || (i in a && !sameJson(a[i], other[i]))) return false;
    }
    return true;
  }
  const [left, right] = [a as Record<string, unknown>, b as Record<string, unknown>];
  let defined = 0;
  for (const key of Object.keys(left)) {
    if (left[key] === undefined) continue;
    defined++;
    const value = Object.prototype.propertyIsEnumerable.call(right, key) ? right[key] : undefined;
    if (value === undefined || !sameJson(left[key], value)) return false;
  }
  for (const key of Object.keys(right)) if (right[key] !== undefined) defined--;
  return defined === 0;
}
