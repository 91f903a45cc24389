import { collectionNames, type AttentionFlag, type CollectionName } from '@medisync/shared/domain';
import express from 'express';
import { actorOf, type AuditLog } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal, type AuthDeps } from '#auth/authenticate';
import type { Db } from '#db/db';
import { tableOf } from '#sync/tables';

export interface AttentionItem {
  collection: CollectionName;
  id: string;
  flags: (AttentionFlag & { key: string })[];
}

const PATIENT_DATA = new Set<CollectionName>(['patients', 'appointments', 'queueEntries']);

/**
 * `GET /attention`: the open attention flags of the caller's site, across every
 * collection: what the conflicts inbox shows. Resolving a flag is an ordinary
 * synced change of its record (domain `resolveFlag`), not a call here.
 */
export function attentionRouter(deps: AuthDeps & { db: Db; audit: AuditLog }): express.Router {
  const router = express.Router();
  router.get('/', requirePrincipal(deps, ['admin', 'desk']), async (req, res) => {
    const principal = principalOf(res);
    const items: AttentionItem[] = [];
    for (const collection of collectionNames) {
      const rows = await deps.db.query<{ id: string; attention: Record<string, AttentionFlag> }>(
        `SELECT id, doc->'attention' AS attention FROM ${tableOf[collection]}
          WHERE site_ids @> ARRAY[$1::uuid] AND NOT deleted AND (doc->>'needsAttention')::boolean
          ORDER BY seq`,
        [principal.siteId],
      );
      for (const row of rows) {
        const flags = Object.entries(row.attention)
          .filter(([, flag]) => flag.resolvedAt === null)
          .map(([key, flag]) => ({ key, ...flag }));
        items.push({ collection, id: row.id, flags });
      }
    }
    const touched = items.filter((item) => PATIENT_DATA.has(item.collection));
    if (touched.length > 0) {
      await deps.audit.record({
        actor: actorOf(principal),
        action: 'read',
        recordIds: touched.map((item) => item.id),
        via: 'GET /attention',
        ...requestOrigin(req),
      });
    }
    res.json({ items });
  });
  return router;
}
