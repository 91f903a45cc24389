import { useCallback, useEffect, useRef, useState } from 'react';
import type { Platform } from '../shell/platform/index.js';
import { createServerApi, type ServerApi } from '../shell/server-api.js';
import { DeskScreen } from './DeskScreen.js';
import { SignIn } from './SignIn.js';
import { StaffSession, type SessionEnd } from './staff-session.js';
import { openWorkspace, type Workspace } from './workspace.js';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'opening' }
  | { kind: 'ready'; workspace: Workspace }
  | { kind: 'failed'; message: string };

const endNotices: Record<SessionEnd, string | null> = {
  'signed-out': null,
  expired: 'Your session has ended. Sign in again to continue; nothing saved on this device is lost.',
};

/** Resumes or signs in a staff session, opens the site's replica, and shows the desk. */
export function App({ platform }: { platform: Platform }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [context, setContext] = useState<{ api: ServerApi; serverUrl: string } | null>(null);
  const workspaceRef = useRef<Workspace | null>(null);

  const open = useCallback(async (session: StaffSession, serverUrl: string) => {
    setPhase({ kind: 'opening' });
    session.onEnd((reason) => {
      void close().then(() => setPhase({ kind: 'signed-out', notice: endNotices[reason] }));
    });
    try {
      const workspace = await openWorkspace(session, serverUrl, await platform.databaseKey());
      workspaceRef.current = workspace;
      setPhase({ kind: 'ready', workspace });
    } catch (error) {
      setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const config = await platform.config();
      const api = createServerApi(config.serverUrl);
      if (cancelled) return;
      setContext({ api, serverUrl: config.serverUrl });
      const session = await StaffSession.resume(api, platform);
      if (cancelled) return;
      if (session) await open(session, config.serverUrl);
      else setPhase({ kind: 'signed-out', notice: null });
    })();
    return () => {
      cancelled = true;
    };
  }, [platform, open]);

  async function close() {
    const workspace = workspaceRef.current;
    workspaceRef.current = null;
    workspace?.session.dispose();
    await workspace?.close().catch(() => undefined);
  }

  async function signOut() {
    const workspace = workspaceRef.current;
    if (!workspace) return;
    // The session's end listener closes the workspace and shows the sign-in screen.
    await workspace.session.signOut();
  }

  switch (phase.kind) {
    case 'starting':
    case 'opening':
      return (
        <main className="loading" aria-busy="true">
          <p role="status">{phase.kind === 'starting' ? 'Starting MediSync…' : "Opening this site's records…"}</p>
        </main>
      );
    case 'signed-out':
      return context ? (
        <SignIn
          api={context.api}
          platform={platform}
          notice={phase.notice}
          onSignedIn={(session) => void open(session, context.serverUrl)}
        />
      ) : null;
    case 'ready':
      return <DeskScreen workspace={phase.workspace} onSignOut={() => void signOut()} />;
    case 'failed':
      return (
        <main className="loading">
          <p role="alert">This device&apos;s records could not be opened: {phase.message}</p>
        </main>
      );
  }
}
