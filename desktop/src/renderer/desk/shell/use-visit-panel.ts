import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { VISIT_PARAM } from './paths.js';

/**
 * Opens and closes the visit panel over the current screen. The open visit is
 * in the URL, so a reload (or a second window) shows the same visit in hand.
 */
export function useVisitPanel(): {
  visitId: string | null;
  openVisit: (appointmentId: string) => void;
  closeVisit: () => void;
} {
  const [params, setParams] = useSearchParams();
  const openVisit = useCallback(
    (appointmentId: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set(VISIT_PARAM, appointmentId);
        return next;
      }),
    [setParams],
  );
  const closeVisit = useCallback(
    () =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.delete(VISIT_PARAM);
        return next;
      }),
    [setParams],
  );
  return { visitId: params.get(VISIT_PARAM), openVisit, closeVisit };
}
