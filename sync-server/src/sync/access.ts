import type { CollectionName } from '@medisync/shared/domain';
import type { Principal } from '#auth/principal';
import type { PullView } from './pull.js';
import type { WriteCheck } from './store.js';

/**
 * Who may replicate what (DESIGN section 5). Staff roles replicate their whole
 * site. Kiosk and display devices get role-shaped views.
 */
export interface SyncPolicy {
  /** The view of a collection for this principal, or null when it may not read it. */
  view(principal: Principal, collection: CollectionName): PullView | null;
  /** Rejects writes this principal may not make. */
  mayWrite(principal: Principal): WriteCheck;
  /** Whether live events for this principal may carry documents inline (else a hint to pull). */
  inlineLiveDocuments(principal: Principal): boolean;
}

const STAFF = new Set(['admin', 'desk']);

export const staffOnlyPolicy: SyncPolicy = {
  view: (principal) => (STAFF.has(principal.role) ? { siteId: principal.siteId } : null),
  mayWrite: (principal) => (collection, next) => {
    if (!STAFF.has(principal.role)) return `role "${principal.role}" may not write ${collection}`;
    const sites = 'siteIds' in next ? (next.siteIds as string[]) : ['siteId' in next ? String(next.siteId) : next.id];
    return sites.includes(principal.siteId) ? null : `this ${collection} record belongs to another site`;
  },
  inlineLiveDocuments: (principal) => STAFF.has(principal.role),
};
