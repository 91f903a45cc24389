import { useEffect, useRef } from 'react';

const ACTIVITY = ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` after `seconds` without a touch, a key or input, while
 * `active` is true. A kiosk clears itself this way, so the next person never
 * sees the previous patient's name or appointment.
 */
export function useIdleReset(seconds: number, active: boolean, onIdle: () => void, target: Document = document): void {
  const callback = useRef(onIdle);
  callback.current = onIdle;
  useEffect(() => {
    if (!active) return undefined;
    let timer = setTimeout(() => callback.current(), seconds * 1000);
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => callback.current(), seconds * 1000);
    };
    for (const type of ACTIVITY) target.addEventListener(type, restart, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) target.removeEventListener(type, restart, { capture: true });
    };
  }, [seconds, active, target]);
}
