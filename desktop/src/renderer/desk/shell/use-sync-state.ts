import { initialSyncState, type SyncState } from '@medisync/shared/sync';
import { useMemo } from 'react';
import { distinctUntilChanged, map } from 'rxjs';
import { useObservable } from '../../shell/use-observable.js';
import type { Workspace } from '../workspace.js';

/**
 * The device's sync state, for the components that show it. It changes with
 * every local write (the pending count), so only they subscribe: held higher
 * up, each check-in would redraw the whole desk twice.
 */
export function useSyncState(workspace: Workspace): SyncState {
  return useObservable(workspace.sync.state$, currentState(workspace));
}

/** Only whether the device is online, offline or revoked: a component that needs no more is not redrawn per write. */
export function useSyncStatus(workspace: Workspace): SyncState['status'] {
  const status$ = useMemo(
    () =>
      workspace.sync.state$.pipe(
        map((state) => state.status),
        distinctUntilChanged(),
      ),
    [workspace],
  );
  return useObservable(status$, currentState(workspace).status);
}

const currentState = (workspace: Workspace) => workspace.sync.state ?? initialSyncState;
