import { lazy, Suspense, useMemo } from 'react';
import { createHashRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { BookScreen } from './booking/BookScreen.js';
import { FeesScreen } from './fees/FeesScreen.js';
import { InboxScreen } from './inbox/InboxScreen.js';
import { PatientsScreen } from './patients/PatientsScreen.js';
import { QueueBoard } from './queue/QueueBoard.js';
import { RoomsScreen } from './rooms/RoomsScreen.js';
import { DeskLayout } from './shell/DeskLayout.js';
import { NotFound } from './shell/NotFound.js';
import { TodayScreen } from './today/TodayScreen.js';
import type { Workspace } from './workspace.js';

// The charting library is most of the Reports screen's weight: it loads when an admin opens it.
const ReportsScreen = lazy(async () => ({ default: (await import('./reports/ReportsScreen.js')).ReportsScreen }));

/**
 * The desk's screens and their URLs (see shell/paths.ts). Hash routing: the
 * same build works served by the sync server at /app/desktop/ and from
 * Electron's app:// protocol, and a reload lands where the user was.
 */
export function deskRoutes(workspace: Workspace, onSignOut: () => void): RouteObject[] {
  return [
    {
      path: '/',
      element: <DeskLayout workspace={workspace} onSignOut={onSignOut} />,
      children: [
        { index: true, element: <Navigate to="/today" replace /> },
        { path: 'today', element: <TodayScreen workspace={workspace} /> },
        { path: 'queue', element: <QueueBoard workspace={workspace} /> },
        { path: 'patients', element: <PatientsScreen workspace={workspace} /> },
        { path: 'patients/:patientId/*', element: <PatientsScreen workspace={workspace} /> },
        { path: 'book', element: <BookScreen workspace={workspace} /> },
        { path: 'inbox', element: <InboxScreen workspace={workspace} /> },
        // Admin screens: the server refuses their data to anyone else, and the menu only offers them to admins.
        { path: 'rooms', element: <RoomsScreen workspace={workspace} /> },
        { path: 'fees', element: <FeesScreen workspace={workspace} /> },
        {
          path: 'reports',
          element: (
            <Suspense fallback={<p role="status">Opening the reports…</p>}>
              <ReportsScreen workspace={workspace} />
            </Suspense>
          ),
        },
        { path: '*', element: <NotFound /> },
      ],
    },
  ];
}

/** The signed-in desk. */
export function DeskScreen({ workspace, onSignOut }: { workspace: Workspace; onSignOut: () => void }) {
  // One router per signed-in workspace; signing out unmounts it.
  const router = useMemo(() => createHashRouter(deskRoutes(workspace, onSignOut)), [workspace]);
  return <RouterProvider router={router} />;
}
