import type { RxDocument } from 'rxdb';

const plain = new WeakMap<object, unknown>();

/**
 * A document's data as a plain object, the same object for as long as the
 * document is unchanged. RxDB hands out one RxDocument per revision, but its
 * `toJSON` copies the data on every call: a screen that maps each result of a
 * live query through it sees every record as new on every change, and redraws
 * the whole day's list when one visit is checked in.
 */
export function plainDoc<T extends object>(doc: RxDocument<T>): T {
  let data = plain.get(doc) as T | undefined;
  if (data === undefined) {
    data = doc.toJSON() as T;
    plain.set(doc, data);
  }
  return data;
}
