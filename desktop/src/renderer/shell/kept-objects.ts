/**
 * Hands a list's rows back as the objects of the previous pass when nothing in
 * them changed, so memoised rows are skipped when a live query emits the list
 * again with one record changed (docs/architecture.md §4.9). One pass is the
 * `keep` calls between two `done` calls; rows not kept in a pass are let go.
 */
export class KeptObjects<T> {
  #before = new Map<string, T>();
  #now = new Map<string, T>();

  constructor(private readonly same: (kept: T, next: T) => boolean) {}

  keep(key: string, next: T): T {
    const kept = this.#before.get(key);
    const value = kept !== undefined && this.same(kept, next) ? kept : next;
    this.#now.set(key, value);
    return value;
  }

  done(): void {
    this.#before = this.#now;
    this.#now = new Map();
  }
}

/** Whether two flat objects hold the same values (===) under the same keys. */
export function shallowSame<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
