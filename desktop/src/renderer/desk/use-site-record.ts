import type { Site } from '@medisync/shared/domain';
import { useMemo } from 'react';
import { map } from 'rxjs';
import { useObservable } from '../shell/use-observable.js';
import type { Workspace } from './workspace.js';

/** The session's site record as this desk holds it, live; null on a new desk until its first sync brings it. */
export function useSiteRecord(workspace: Workspace): Site | null {
  const site$ = useMemo(
    () =>
      workspace.db.rx.sites
        .findOne(workspace.session.site.id)
        .$.pipe(map((doc) => (doc ? (doc.toJSON() as Site) : null))),
    [workspace],
  );
  return useObservable<Site | null>(site$, null);
}
