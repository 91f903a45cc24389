import { dayRangeUtc, localDateAt } from '@medisync/shared/domain';
import { useEffect, useState } from 'react';

export interface SiteDay {
  /** YYYY-MM-DD at the site. */
  date: string;
  /** ISO bounds [start, end) of the day at the site, comparable with stored timestamps. */
  start: string;
  end: string;
}

export function siteDay(now: Date, timeZone: string): SiteDay {
  const date = localDateAt(now, timeZone);
  const { start, end } = dayRangeUtc(date, timeZone);
  return { date, start: start.toISOString(), end: end.toISOString() };
}

/** Today at the site; rolls over at the site's midnight without a reload. */
export function useSiteToday(timeZone: string): SiteDay {
  const [day, setDay] = useState(() => siteDay(new Date(), timeZone));
  useEffect(() => {
    const timer = setInterval(() => {
      const next = siteDay(new Date(), timeZone);
      setDay((current) => (current.date === next.date ? current : next));
    }, 30_000);
    return () => clearInterval(timer);
  }, [timeZone]);
  return day;
}
