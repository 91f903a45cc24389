import type { SyncState } from '@medisync/shared/sync';
import { formatTimeOfDay } from './time.js';

export interface SyncStatusView {
  tone: 'online' | 'syncing' | 'offline' | 'revoked' | 'connecting';
  /** The headline: "Online", "Syncing", "Offline since 14:05", … */
  label: string;
  /** "3 pending changes" or "All changes saved". */
  pending: string;
  /** First-sync progress (0..1) while the replica is still filling, else null. */
  progress: number | null;
  progressLabel: string | null;
  /** Pushed changes the server refused, which need someone's attention. */
  refused: string | null;
}

export const REVOKED_MESSAGE = 'This device was signed out by an administrator';

/** What the always-visible status bar says about a sync state: a pure function, so every wording is tested. */
export function describeSyncState(state: SyncState, timeZone: string): SyncStatusView {
  const pending =
    state.pending === 0 ? 'All changes saved' : `${state.pending} pending change${state.pending === 1 ? '' : 's'}`;
  const refused =
    state.rejected.length === 0
      ? null
      : `${state.rejected.length} change${state.rejected.length === 1 ? '' : 's'} refused by the server`;
  const filling = !state.firstSync.complete && state.status !== 'revoked';
  const progress = filling ? state.firstSync.progress : null;
  const progressLabel = !filling
    ? null
    : state.firstSync.usable
      ? `Loading earlier records: ${Math.floor(state.firstSync.progress * 100)}%`
      : "Loading today's schedule…";
  const base = { pending, progress, progressLabel, refused };
  switch (state.status) {
    case 'revoked':
      return { ...base, tone: 'revoked', label: REVOKED_MESSAGE, progress: null, progressLabel: null };
    case 'offline':
      return {
        ...base,
        tone: 'offline',
        label: state.offlineSince ? `Offline since ${formatTimeOfDay(state.offlineSince, timeZone)}` : 'Offline',
      };
    case 'connecting':
      return { ...base, tone: 'connecting', label: 'Connecting…' };
    case 'online':
      return state.pending > 0 || filling
        ? { ...base, tone: 'syncing', label: 'Syncing' }
        : { ...base, tone: 'online', label: 'Online' };
  }
}
