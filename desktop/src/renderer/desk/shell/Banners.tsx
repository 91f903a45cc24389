import { formatTimeOfDay } from '../../shell/time.js';
import type { Workspace } from '../workspace.js';
import { useSyncState } from './use-sync-state.js';

/**
 * What the desk says about its connection beyond the status bar: revoked is an
 * alert (nothing syncs until someone signs in again), offline a calm note
 * (everything still works). Banners, never modals: the receptionist keeps working.
 */
export function Banners({ workspace, onSignOut }: { workspace: Workspace; onSignOut: () => void }) {
  const sync = useSyncState(workspace);
  const timeZone = workspace.session.site.timezone;
  if (sync.status === 'revoked') {
    return (
      <div className="banner banner--alert" role="alert" data-testid="revoked-banner">
        <p className="banner__text">
          <strong>This device was signed out by an administrator.</strong> Nothing is sent to the server now. Changes
          made here since then are kept on this device and are sent once someone signs in again.
        </p>
        <button type="button" className="button" onClick={onSignOut}>
          Sign in again
        </button>
      </div>
    );
  }
  if (sync.status === 'offline') {
    return (
      <div className="banner banner--calm" role="status" data-testid="offline-banner">
        <p className="banner__text">
          Working offline{sync.offlineSince ? ` since ${formatTimeOfDay(sync.offlineSince, timeZone)}` : ''}. Check-ins,
          the queue and bookings keep working here and are sent when the server is back.
        </p>
      </div>
    );
  }
  return null;
}
