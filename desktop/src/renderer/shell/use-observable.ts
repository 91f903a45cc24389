import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';

/** The latest value of an observable; pass a stable (memoised) observable. */
export function useObservable<T>(source: Observable<T> | null | undefined, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    if (!source) return undefined;
    const subscription = source.subscribe(setValue);
    return () => subscription.unsubscribe();
  }, [source]);
  return value;
}
