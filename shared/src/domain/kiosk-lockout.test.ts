import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  initialLockoutState,
  kioskLockoutRule,
  lockoutStatus,
  recordMiss,
  type LockoutState,
} from './kiosk-lockout.js';

const MINUTE = 60_000;

describe('kiosk identity search lockout', () => {
  it('locks for two minutes on the fifth miss within ten minutes, then opens again', () => {
    let state: LockoutState = initialLockoutState;
    const start = 1_000_000;
    for (let i = 0; i < 4; i++) state = recordMiss(state, start + i * MINUTE);
    expect(lockoutStatus(state, start + 4 * MINUTE)).toEqual({ locked: false, retryInMs: 0, missesLeft: 1 });

    state = recordMiss(state, start + 4 * MINUTE);
    expect(lockoutStatus(state, start + 4 * MINUTE)).toEqual({ locked: true, retryInMs: 2 * MINUTE, missesLeft: 0 });
    expect(lockoutStatus(state, start + 5 * MINUTE).locked).toBe(true);
    expect(lockoutStatus(state, start + 6 * MINUTE)).toEqual({ locked: false, retryInMs: 0, missesLeft: 5 });
  });

  it('lets misses spread over more than ten minutes age out', () => {
    let state: LockoutState = initialLockoutState;
    for (let i = 0; i < 20; i++) state = recordMiss(state, i * 3 * MINUTE);
    expect(lockoutStatus(state, 60 * MINUTE).locked).toBe(false);
    expect(lockoutStatus(state, 57 * MINUTE).missesLeft).toBe(1);
  });

  it('ignores misses while locked, so hammering the screen does not extend or stack the lock', () => {
    let state: LockoutState = initialLockoutState;
    for (let i = 0; i < 5; i++) state = recordMiss(state, i);
    const locked = state;
    for (let i = 0; i < 10; i++) state = recordMiss(state, 1000 + i);
    expect(state).toBe(locked);
    expect(lockoutStatus(state, 4 + kioskLockoutRule.lockMs).locked).toBe(false);
  });

  it('never allows more than five misses in any ten-minute window without a lock in between', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 * MINUTE }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let state: LockoutState = initialLockoutState;
        let now = 0;
        const accepted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          if (lockoutStatus(state, now).locked) continue;
          accepted.push(now);
          state = recordMiss(state, now);
        }
        // Each accepted miss is a search the kiosk actually ran. Between two locks, at most five fit in a window.
        for (let i = 0; i + kioskLockoutRule.maxMisses < accepted.length; i++) {
          const first = accepted[i]!;
          const sixth = accepted[i + kioskLockoutRule.maxMisses]!;
          expect(sixth - first >= kioskLockoutRule.lockMs || sixth - first >= kioskLockoutRule.windowMs).toBe(true);
        }
      }),
    );
  });
});
