import type { SyncState } from '@medisync/shared/sync';
import { describeSyncState } from './sync-status.js';

/**
 * Always visible: whether the server is reachable, since when it is not, how
 * many local changes wait to be pushed, and how far the first sync is. It is a
 * polite live region, so screen readers hear changes without losing their place.
 */
export function SyncStatusBar({ state, timeZone }: { state: SyncState; timeZone: string }) {
  const view = describeSyncState(state, timeZone);
  return (
    <div className={`sync-status sync-status--${view.tone}`} role="status" aria-live="polite" data-testid="sync-status">
      <span className="sync-status__dot" aria-hidden="true" />
      <span className="sync-status__label" data-testid="sync-label">
        {view.label}
      </span>
      <span className="sync-status__pending" data-testid="sync-pending">
        {view.pending}
      </span>
      {view.refused && <span className="sync-status__refused">{view.refused}</span>}
      {view.progress !== null && (
        <span className="sync-status__progress">
          <progress
            max={1}
            value={view.progress}
            aria-label={view.progressLabel ?? undefined}
            title={view.progressLabel ?? undefined}
          />
          <span>{view.progressLabel}</span>
        </span>
      )}
    </div>
  );
}
