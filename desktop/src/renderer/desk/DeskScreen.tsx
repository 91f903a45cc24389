import { initialSyncState } from '@medisync/shared/sync';
import { useState } from 'react';
import { SyncStatusBar } from '../shell/SyncStatusBar.js';
import { useObservable } from '../shell/use-observable.js';
import { Announcer } from './announcer.js';
import { QueueView } from './QueueView.js';
import { TodayView } from './TodayView.js';
import type { Workspace } from './workspace.js';

const views = [
  { id: 'today', label: 'Today' },
  { id: 'queue', label: 'Queue' },
] as const;
type ViewId = (typeof views)[number]['id'];

/** The signed-in desk: header, navigation, the current view, and the sync status bar that is always there. */
export function DeskScreen({ workspace, onSignOut }: { workspace: Workspace; onSignOut: () => void }) {
  const [view, setView] = useState<ViewId>('today');
  const sync = useObservable(workspace.sync.state$, workspace.sync.state ?? initialSyncState);
  const { session } = workspace;

  return (
    <Announcer>
      <div className="desk">
        <header className="desk__header">
          <div className="desk__site">
            <span className="desk__brand">MediSync</span>
            <span>{session.site.name}</span>
          </div>
          <nav aria-label="Main" className="desk__nav">
            {views.map((v) => (
              <button
                key={v.id}
                type="button"
                className="desk__nav-item"
                aria-current={view === v.id ? 'page' : undefined}
                onClick={() => setView(v.id)}
              >
                {v.label}
              </button>
            ))}
          </nav>
          <div className="desk__user">
            <span>{session.user.displayName}</span>
            <button type="button" className="button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <SyncStatusBar state={sync} timeZone={session.site.timezone} />
        {sync.status === 'revoked' && (
          <div className="banner banner--alert" role="alert">
            Changes made on this device since then stay here until someone signs in again.{' '}
            <button type="button" className="button" onClick={onSignOut}>
              Sign in again
            </button>
          </div>
        )}
        <main className="desk__main" id="main">
          {view === 'today' ? <TodayView workspace={workspace} /> : <QueueView workspace={workspace} />}
        </main>
      </div>
    </Announcer>
  );
}
