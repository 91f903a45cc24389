import { useSearchParams } from 'react-router';
import { formatDay } from '../../shell/time.js';
import { useSiteToday } from '../use-site-today.js';

/** The day the screen shows (Today's `?date=`, else today at the site), always in the top bar. */
export function ShownDate({ timeZone }: { timeZone: string }) {
  const today = useSiteToday(timeZone);
  const [params] = useSearchParams();
  const shown = params.get('date') ?? today.date;
  return (
    <time className="topbar__date" dateTime={shown} data-testid="shown-date">
      {formatDay(new Date(`${shown}T12:00:00Z`), 'UTC')}
      {shown !== today.date && <span className="topbar__not-today"> (not today)</span>}
    </time>
  );
}
