import type { CollectionName } from '../domain/index.js';
import type { RejectedRow } from './protocol.js';

/** What every screen shows about sync, at all times (docs/architecture.md §4.10). */
export interface SyncState {
  /** online: server reachable and live; offline: not reachable; revoked: this device was cut off. */
  status: 'connecting' | 'online' | 'offline' | 'revoked';
  offlineSince: string | null;
  /** Local changes the server has not acknowledged yet. */
  pending: number;
  lastSyncedAt: string | null;
  firstSync: FirstSyncProgress;
  /** Pushed rows the server refused; they stay on this device and need someone's attention. */
  rejected: (RejectedRow & { collection: CollectionName })[];
  lastError: string | null;
}

export interface FirstSyncProgress {
  /** True once today's working set of every collection is here: the device is usable. */
  usable: boolean;
  /** True once the whole history is here. */
  complete: boolean;
  received: number;
  remaining: number;
  /** 0..1, for a progress bar. */
  progress: number;
}

export interface CollectionProgress {
  phase: 'priority' | 'history';
  received: number;
  remaining: number;
  caughtUp: boolean;
}

export function firstSyncProgress(
  byCollection: Partial<Record<CollectionName, CollectionProgress>>,
  expected: number,
): FirstSyncProgress {
  const all = Object.values(byCollection);
  const received = all.reduce((n, c) => n + c.received, 0);
  const remaining = all.reduce((n, c) => n + (c.caughtUp ? 0 : c.remaining), 0);
  const reported = all.length === expected;
  const complete = reported && all.every((c) => c.caughtUp);
  return {
    usable: reported && all.every((c) => c.phase === 'history'),
    complete,
    received,
    remaining,
    progress: complete ? 1 : received + remaining === 0 ? 0 : received / (received + remaining),
  };
}

export const initialSyncState: SyncState = {
  status: 'connecting',
  offlineSince: null,
  pending: 0,
  lastSyncedAt: null,
  firstSync: { usable: false, complete: false, received: 0, remaining: 0, progress: 0 },
  rejected: [],
  lastError: null,
};
