import { changeRecord, type Notice, type Patient } from '@medisync/shared/domain';
import type { Observable } from 'rxjs';
import { useLiveQuery } from '../use-query.js';
import { deskActor, type Workspace } from '../workspace.js';

/** Unread notices the panel lists (and counts) at most; more show as "50+". */
export const UNREAD_SHOWN = 50;
/** Handled notices shown below them, for a look back. */
export const READ_SHOWN = 10;

type NoticeQuery = { $: Observable<{ toJSON(): Notice }[]> };

/**
 * The site's notices for the panel, live as the server raises them: every
 * unread one first (up to UNREAD_SHOWN), then the latest handled ones, so the
 * many "message sent" notices (born read) never push an unread one out.
 */
export function useNotices(workspace: Workspace): { unread: Notice[]; read: Notice[] } {
  const siteId = workspace.session.site.id;
  const unread = useLiveQuery(
    () =>
      workspace.db.rx.notices.find({
        selector: { siteId, readAt: { $eq: null } },
        sort: [{ raisedAt: 'desc' }],
        limit: UNREAD_SHOWN,
      }) as unknown as NoticeQuery,
    [workspace, siteId],
    [],
  );
  const read = useLiveQuery(
    () =>
      workspace.db.rx.notices.find({
        selector: { siteId, readAt: { $ne: null } },
        sort: [{ raisedAt: 'desc' }],
        limit: READ_SHOWN,
      }) as unknown as NoticeQuery,
    [workspace, siteId],
    [],
  );
  return { unread: unread.map((doc) => doc.toJSON()), read: read.map((doc) => doc.toJSON()) };
}

/** Marks a notice handled: the only change a desk makes to one (the server keeps the rest). */
export async function markNoticeRead(workspace: Workspace, notice: Notice, now = new Date()): Promise<void> {
  const read = changeRecord(
    'notices',
    notice,
    { readAt: now.toISOString(), readBy: deskActor(workspace).id },
    workspace.db.clock,
  );
  await workspace.db.save('notices', read);
}

export async function patientOf(workspace: Workspace, id: string | null): Promise<Patient | null> {
  if (id === null) return null;
  return ((await workspace.db.rx.patients.findOne(id).exec())?.toJSON() as Patient | undefined) ?? null;
}
