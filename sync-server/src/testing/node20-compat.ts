/**
 * Vitest 5 is built for Node 22 and calls `Map.groupBy` when it reports a
 * failing test; Node 20, which MediSync supports, lacks it, and the report of
 * a failure would crash instead of showing the failure. Loaded by the global
 * setup, which runs in the process that reports.
 */
const maps = Map as unknown as { groupBy?: unknown };
if (typeof maps.groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true,
    writable: true,
    value: function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const key = keyOf(item, index++);
        const group = groups.get(key);
        if (group) group.push(item);
        else groups.set(key, [item]);
      }
      return groups;
    },
  });
}
const objects = Object as unknown as { groupBy?: unknown };
if (typeof objects.groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true,
    writable: true,
    value: function groupBy<T>(items: Iterable<T>, keyOf: (item: T, index: number) => PropertyKey) {
      const groups: Record<PropertyKey, T[]> = Object.create(null) as Record<PropertyKey, T[]>;
      let index = 0;
      for (const item of items) (groups[keyOf(item, index++)] ??= []).push(item);
      return groups;
    },
  });
}
export {};
