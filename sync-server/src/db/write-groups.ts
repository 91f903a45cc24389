/**
 * Writes that wait for the same sites' lock, gathered into one transaction
 * (docs/architecture.md §3.3). A busy site's writes take turns on its lock,
 * and each holds it for every round trip of its transaction; writes arriving
 * while a group waits for its turn join it instead, and the group pays those
 * round trips once. A group forms from the moment its first write asks for
 * the lock until the transaction holds it (`close`), so a write that finds
 * the site free is never held back to wait for company.
 */
export class WriteGroups {
  private readonly forming = new Map<string, Group<unknown, unknown>>();

  /** `maxRows`: no group grows past this many rows, so its statements stay the size of one large push. */
  constructor(private readonly maxRows = 2_000) {}

  /**
   * Adds `item` (`rows` rows) to the group of `key` still forming when
   * `fits(members)` says it may join them, or starts a new group. `run` gets
   * the group's items from `close()`, which ends the forming, and answers one
   * outcome per item in the same order: one item's failure is its own.
   * Resolves to this item's result, or rejects with its error.
   */
  join<I, R>(
    key: string,
    item: I,
    rows: number,
    fits: (members: readonly I[]) => boolean,
    run: (close: () => readonly I[]) => Promise<PromiseSettledResult<R>[]>,
  ): Promise<R> {
    const open = this.forming.get(key) as Group<I, R> | undefined;
    if (open !== undefined && open.rows + rows <= this.maxRows && fits(open.items)) {
      const index = open.items.push(item) - 1;
      open.rows += rows;
      return open.results.then((results) => unwrap(results[index]!));
    }
    const group: Group<I, R> = { items: [item], rows, results: Promise.resolve([]) };
    this.forming.set(key, group as Group<unknown, unknown>);
    const close = () => {
      if (this.forming.get(key) === group) this.forming.delete(key);
      return group.items;
    };
    // Closed however `run` ends, so a failed group takes no more writes.
    group.results = run(close).finally(close);
    return group.results.then((results) => unwrap(results[0]!));
  }
}

interface Group<I, R> {
  items: I[];
  rows: number;
  results: Promise<PromiseSettledResult<R>[]>;
}

function unwrap<R>(outcome: PromiseSettledResult<R>): R {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}
