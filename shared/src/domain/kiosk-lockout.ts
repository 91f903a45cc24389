/**
 * A kiosk's identity search locks after repeated misses (docs/architecture.md §5.5), so
 * someone at the lobby screen cannot walk through names and birth dates to find
 * out who is booked today. Pure: the kiosk keeps the state and passes the time.
 *
 * A successful lookup does not clear earlier misses: otherwise anyone who knows
 * one booked patient could reset the count between guesses. Misses simply age
 * out of the window.
 */

export interface LockoutRule {
  /** Misses within `windowMs` that lock the search. */
  maxMisses: number;
  windowMs: number;
  /** How long the search stays locked. */
  lockMs: number;
}

/** Five misses within ten minutes lock identity search for two minutes. */
export const kioskLockoutRule: LockoutRule = { maxMisses: 5, windowMs: 10 * 60_000, lockMs: 2 * 60_000 };

export interface LockoutState {
  /** Times (epoch ms) of recent misses, oldest first. */
  misses: readonly number[];
  /** Epoch ms until which the search is locked, or null. */
  lockedUntil: number | null;
}

export const initialLockoutState: LockoutState = { misses: [], lockedUntil: null };

export interface LockoutStatus {
  locked: boolean;
  /** Milliseconds until the search opens again; 0 when open. */
  retryInMs: number;
  /** Misses still allowed before the search locks. */
  missesLeft: number;
}

export function lockoutStatus(state: LockoutState, now: number, rule: LockoutRule = kioskLockoutRule): LockoutStatus {
  if (state.lockedUntil !== null && now < state.lockedUntil) {
    return { locked: true, retryInMs: state.lockedUntil - now, missesLeft: 0 };
  }
  const recent = state.misses.filter((at) => at > now - rule.windowMs).length;
  return { locked: false, retryInMs: 0, missesLeft: Math.max(0, rule.maxMisses - recent) };
}

/** An identity search that found nobody. While locked, searches are not made, so nothing changes. */
export function recordMiss(state: LockoutState, now: number, rule: LockoutRule = kioskLockoutRule): LockoutState {
  if (state.lockedUntil !== null && now < state.lockedUntil) return state;
  const misses = [...state.misses.filter((at) => at > now - rule.windowMs), now];
  if (misses.length >= rule.maxMisses) return { misses: [], lockedUntil: now + rule.lockMs };
  return { misses, lockedUntil: null };
}
