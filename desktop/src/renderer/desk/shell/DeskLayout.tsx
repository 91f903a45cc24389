import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { I18nProvider, RouterProvider } from 'react-aria-components';
import { NavLink, Outlet, useHref, useNavigate, type NavigateOptions } from 'react-router';
import { SyncStatusBar } from '../../shell/SyncStatusBar.js';
import { Announcer } from '../announcer.js';
import { useOpenAttentionCount } from '../inbox/use-attention-count.js';
import { NoticesButton } from '../notices/NoticesButton.js';
import { PatientSearch } from '../patients/PatientSearch.js';
import { VisitPanel } from '../visit/VisitPanel.js';
import type { Workspace } from '../workspace.js';
import { Banners } from './Banners.js';
import { HelpOverlay } from './HelpOverlay.js';
import { deskPaths } from './paths.js';
import { useGlobalShortcuts } from './shortcuts.js';
import { ShownDate } from './ShownDate.js';
import { useSyncState } from './use-sync-state.js';
import { useVisitPanel } from './use-visit-panel.js';

declare module 'react-aria-components' {
  interface RouterConfig {
    routerOptions: NavigateOptions;
  }
}

const screens = [
  { to: deskPaths.today(), label: 'Today' },
  { to: deskPaths.queue(), label: 'Queue' },
  { to: deskPaths.patients(), label: 'Patients' },
  { to: deskPaths.book(), label: 'Book' },
  { to: deskPaths.inbox(), label: 'Inbox' },
] as const;

/** Screens only an admin is offered, after the others (their Alt+number shortcuts follow on). */
const adminScreens = [
  { to: deskPaths.rooms(), label: 'Rooms' },
  { to: deskPaths.reports(), label: 'Reports' },
  { to: deskPaths.fees(), label: 'Fees' },
] as const;

/**
 * The frame of the signed-in desk: a top bar that never moves (site, date,
 * patient search, inbox count, sync state, user), the screens on the left,
 * the current screen, and the visit panel sliding in from the right over it.
 */
export function DeskLayout({ workspace, onSignOut }: { workspace: Workspace; onSignOut: () => void }) {
  const navigate = useNavigate();
  const searchRef = useRef<HTMLInputElement | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const { visitId, closeVisit } = useVisitPanel();
  // Once the panel has gone, focus goes back to where the receptionist opened it from, when that
  // is still on screen and focus left with the panel. (Waiting a frame instead lost it on a busy
  // machine: the panel could still be there, taking focus with it as it went.)
  const lastVisit = useRef<string | null>(null);
  useEffect(() => {
    const closed = lastVisit.current;
    lastVisit.current = visitId;
    if (visitId !== null || closed === null) return;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    document.querySelector<HTMLElement>(`[data-visit-trigger="${closed}"]`)?.focus();
  }, [visitId]);
  const openFlags = useOpenAttentionCount(workspace);
  const { session } = workspace;
  const shown = useMemo(
    () => (session.user.role === 'admin' ? [...screens, ...adminScreens] : screens),
    [session.user.role],
  );

  const shortcuts = useMemo(
    () => ({
      focusSearch: () => {
        searchRef.current?.focus();
        searchRef.current?.select();
      },
      openHelp: () => setHelpOpen(true),
      goTo: (index: number) => {
        const screen = shown[index];
        if (screen) void navigate(screen.to);
      },
    }),
    [navigate, shown],
  );
  useGlobalShortcuts(shortcuts);

  return (
    <RouterProvider navigate={(to, options) => void navigate(to, options)} useHref={useHref}>
      {/* Day-month-year and a 24-hour clock, as the rest of the desk writes them. */}
      <I18nProvider locale="en-GB">
        <Announcer>
          <div className={`desk${visitId ? ' desk--with-panel' : ''}`}>
            <a className="skip-link" href="#desk-main" onClick={skipToMain}>
              Skip to the screen
            </a>
            <header className="topbar">
              <div className="topbar__site">
                <span className="topbar__brand">MediSync</span>
                <span className="topbar__site-name" data-testid="site-name">
                  {session.site.name}
                </span>
                <ShownDate timeZone={session.site.timezone} />
              </div>
              <div className="topbar__search" role="search" aria-label="Patients">
                <PatientSearch workspace={workspace} inputRef={searchRef} />
                <kbd className="topbar__hint" aria-hidden="true">
                  /
                </kbd>
              </div>
              <NoticesButton workspace={workspace} />
              <NavLink
                to={deskPaths.inbox()}
                className={`topbar__inbox${openFlags > 0 ? ' topbar__inbox--open' : ''}`}
                data-testid="inbox-count"
              >
                <span className="topbar__wide-only">Conflicts inbox</span>
                <span className="topbar__narrow-only" aria-hidden="true">
                  Inbox
                </span>{' '}
                <span className="count">{openFlags}</span>
                <span className="visually-hidden"> {openFlags === 1 ? 'flag' : 'flags'} to resolve</span>
              </NavLink>
              <DeskSyncStatus workspace={workspace} />
              <div className="topbar__user">
                <span>{session.user.displayName}</span>
                <button type="button" className="button button--quiet" onClick={onSignOut}>
                  Sign out
                </button>
                <button
                  type="button"
                  className="button button--quiet"
                  onClick={() => setHelpOpen(true)}
                  aria-label="Keyboard shortcuts"
                  aria-keyshortcuts="?"
                >
                  ?
                </button>
              </div>
            </header>
            <nav aria-label="Main" className="sidenav">
              <ul>
                {shown.map((screen, index) => (
                  <li key={screen.to}>
                    <NavLink
                      to={screen.to}
                      className="sidenav__item"
                      aria-keyshortcuts={`Alt+${index + 1}`}
                      title={`Alt+${index + 1}`}
                    >
                      {screen.label}
                      {screen.label === 'Inbox' && openFlags > 0 && (
                        <span className="count" aria-label={`${openFlags} to resolve`}>
                          {openFlags}
                        </span>
                      )}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="desk__body">
              <Banners workspace={workspace} onSignOut={onSignOut} />
              <main className="desk__main" id="desk-main" tabIndex={-1}>
                <Outlet />
              </main>
              {visitId && (
                <VisitPanel key={visitId} workspace={workspace} appointmentId={visitId} onClose={closeVisit} />
              )}
            </div>
          </div>
          <HelpOverlay isOpen={helpOpen} onOpenChange={setHelpOpen} />
        </Announcer>
      </I18nProvider>
    </RouterProvider>
  );
}

function DeskSyncStatus({ workspace }: { workspace: Workspace }) {
  return <SyncStatusBar state={useSyncState(workspace)} timeZone={workspace.session.site.timezone} />;
}

function skipToMain(event: MouseEvent) {
  // Hash routing owns the fragment, so the skip link moves focus itself.
  event.preventDefault();
  document.getElementById('desk-main')?.focus();
}
