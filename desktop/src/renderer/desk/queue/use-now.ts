import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs`: enough for "waiting 12 min" to stay true without re-rendering often. */
export function useNow(everyMs = 20_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
