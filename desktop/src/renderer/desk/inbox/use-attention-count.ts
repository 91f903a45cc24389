import { openFlags } from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { Workspace } from '../workspace.js';
import { useFlaggedRecords } from './use-flagged.js';

/** How many attention flags are open at the workspace's site: the top bar's inbox count. */
export function useOpenAttentionCount(workspace: Workspace): number {
  const flagged = useFlaggedRecords(workspace);
  return useMemo(
    () =>
      [...flagged.appointments, ...flagged.patients, ...flagged.queueEntries].reduce(
        (sum, record) => sum + openFlags(record).length,
        0,
      ),
    [flagged],
  );
}
