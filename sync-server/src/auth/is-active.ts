import type { Db } from '#db/db';
import type { IsActive } from './authenticate.js';
import type { VerifiedPrincipal } from './tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The database half of authentication, run on every request and socket
 * handshake (one indexed query), so that revoking a device or session, or
 * deactivating or demoting a user, takes effect at once rather than when a
 * token expires:
 *
 * - a device must exist at the token's site with the token's role, not be
 *   revoked, and the token must be its current one (`token_id`);
 * - a staff token must name a live session of an active user who still has the
 *   token's role and still works at its site.
 *
 * API clients are checked by `apiClients` when the integration API provides it;
 * without it they are refused.
 */
export function createIsActive(db: Db, options: { apiClients?: IsActive } = {}): IsActive {
  return async (principal: VerifiedPrincipal) => {
    switch (principal.kind) {
      case 'device': {
        if (!UUID.test(principal.id) || !UUID.test(principal.jti)) return false;
        const rows = await db.query<{ active: boolean }>(
          `WITH device AS (
             SELECT id FROM devices
              WHERE id = $1 AND token_id = $2 AND site_id = $3 AND role = $4 AND revoked_at IS NULL),
           seen AS (
             UPDATE devices SET last_seen_at = now()
              WHERE id IN (SELECT id FROM device) AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute'))
           SELECT EXISTS (SELECT 1 FROM device) AS active`,
          [principal.id, principal.jti, principal.siteId, principal.role],
        );
        return rows[0]?.active === true;
      }
      case 'user': {
        if (principal.sid === undefined || !UUID.test(principal.sid) || !UUID.test(principal.id)) return false;
        const rows = await db.query<{ active: boolean }>(
          `SELECT EXISTS (
             SELECT 1 FROM sessions s
               JOIN users u ON u.id = s.user_id
               JOIN user_sites us ON us.user_id = u.id AND us.site_id = s.site_id
              WHERE s.id = $1 AND s.user_id = $2 AND s.site_id = $3 AND u.role = $4
                AND u.active AND s.revoked_at IS NULL AND s.absolute_expires_at > now()) AS active`,
          [principal.sid, principal.id, principal.siteId, principal.role],
        );
        return rows[0]?.active === true;
      }
      case 'apiClient':
        return options.apiClients ? options.apiClients(principal) : false;
    }
  };
}
