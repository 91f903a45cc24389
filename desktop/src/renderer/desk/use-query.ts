import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';

/**
 * Subscribes a component to a bounded RxDB query. `makeQuery` must return a
 * query with a limit (screens never subscribe to unbounded queries:
 * docs/architecture.md §4.9); it is rebuilt whenever `deps` change.
 */
export function useLiveQuery<T>(makeQuery: () => { $: Observable<T> } | null, deps: readonly unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const query = makeQuery();
    if (query === null) return undefined;
    const subscription = query.$.subscribe(setValue);
    return () => subscription.unsubscribe();
    // The caller names what the query depends on.
  }, deps);
  return value;
}
