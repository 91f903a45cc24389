import { describeSyncState, useObservable } from '@medisync/desktop/shell/browser';
import { initialSyncState, type SyncSession } from '@medisync/shared/sync';

/**
 * A discreet corner note for staff walking past: whether this lobby device
 * reaches the server and how many changes wait to be sent. Patients are not
 * interrupted by it (no live region); check-in works the same either way.
 */
export function DeviceStatus({ sync, timeZone }: { sync: SyncSession; timeZone: string }) {
  const state = useObservable(sync.state$, sync.state ?? initialSyncState);
  const view = describeSyncState(state, timeZone);
  const quiet = view.tone === 'online' && state.pending === 0;
  return (
    <footer className={`device-status device-status--${view.tone}`} data-testid="device-status">
      <span className="device-status__dot" aria-hidden="true" />
      {quiet ? <span className="visually-hidden">{view.label}</span> : `${view.label} · ${view.pending}`}
    </footer>
  );
}
