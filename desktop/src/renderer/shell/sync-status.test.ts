import { initialSyncState, type SyncState } from '@medisync/shared/sync';
import { describe, expect, it } from 'vitest';
import { describeSyncState, REVOKED_MESSAGE } from './sync-status.js';

const caughtUp = { usable: true, complete: true, received: 10, remaining: 0, progress: 1 };
const state = (patch: Partial<SyncState>): SyncState => ({ ...initialSyncState, firstSync: caughtUp, ...patch });

describe('describeSyncState', () => {
  it('says online with nothing pending when caught up', () => {
    expect(describeSyncState(state({ status: 'online' }), 'UTC')).toMatchObject({
      tone: 'online',
      label: 'Online',
      pending: 'All changes saved',
      progress: null,
    });
  });

  it('says syncing while changes wait to be pushed, and counts them', () => {
    expect(describeSyncState(state({ status: 'online', pending: 1 }), 'UTC')).toMatchObject({
      label: 'Syncing',
      pending: '1 pending change',
    });
    expect(describeSyncState(state({ status: 'online', pending: 3 }), 'UTC').pending).toBe('3 pending changes');
  });

  it("says since when it is offline, in the site's time zone", () => {
    const view = describeSyncState(
      state({ status: 'offline', offlineSince: '2026-03-02T13:05:00.000Z', pending: 2 }),
      'Europe/Berlin',
    );
    expect(view).toMatchObject({ tone: 'offline', label: 'Offline since 14:05', pending: '2 pending changes' });
  });

  it('shows first-sync progress: today first, then the history', () => {
    const filling = { usable: false, complete: false, received: 10, remaining: 90, progress: 0.1 };
    expect(describeSyncState(state({ status: 'online', firstSync: filling }), 'UTC')).toMatchObject({
      label: 'Syncing',
      progress: 0.1,
      progressLabel: "Loading today's schedule…",
    });
    const history = { ...filling, usable: true, progress: 0.42 };
    expect(describeSyncState(state({ status: 'online', firstSync: history }), 'UTC').progressLabel).toBe(
      'Loading earlier records: 42%',
    );
  });

  it('tells the desk an administrator signed this device out', () => {
    expect(describeSyncState(state({ status: 'revoked' }), 'UTC')).toMatchObject({
      tone: 'revoked',
      label: REVOKED_MESSAGE,
    });
    expect(REVOKED_MESSAGE).toBe('This device was signed out by an administrator');
  });

  it('counts changes the server refused', () => {
    const rejected = [
      { id: 'a', collection: 'appointments' as const, error: { code: 'invalid', message: 'x', details: {} } },
    ];
    expect(describeSyncState(state({ status: 'online', rejected }), 'UTC').refused).toBe(
      '1 change refused by the server',
    );
  });
});
