import type { Db } from '#db/db';
import type { IsActive } from './authenticate.js';
import type { VerifiedPrincipal } from './tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The database half of authentication as SQL, for a statement of its own or
 * for one that reads on the principal's behalf (a pull's page, sync/pull.ts),
 * which then needs no round trip for the check. `param` adds a value to the
 * statement's parameters and answers its placeholder.
 *
 * - `active`: a boolean expression, true while the principal may still come in;
 * - `touch`: for a device, an UPDATE (for a WITH clause) that marks it seen, at
 *   most once a minute, and only while it is active.
 *
 * Null for a principal checked elsewhere (API clients).
 */
export function livenessSql(
  principal: VerifiedPrincipal,
  param: (value: unknown) => string,
): { active: string; touch?: string } | null {
  switch (principal.kind) {
    case 'device': {
      if (!UUID.test(principal.id) || !UUID.test(principal.jti)) return { active: 'false' };
      const device = `id = ${param(principal.id)} AND token_id = ${param(principal.jti)} AND site_id = ${param(principal.siteId)}
        AND role = ${param(principal.role)} AND revoked_at IS NULL`;
      return {
        active: `EXISTS (SELECT 1 FROM devices WHERE ${device})`,
        touch: `UPDATE devices SET last_seen_at = now()
          WHERE ${device} AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')`,
      };
    }
    case 'user': {
      if (principal.sid === undefined || !UUID.test(principal.sid) || !UUID.test(principal.id)) {
        return { active: 'false' };
      }
      return {
        active: `EXISTS (
          SELECT 1 FROM sessions s
            JOIN users u ON u.id = s.user_id
            JOIN user_sites us ON us.user_id = u.id AND us.site_id = s.site_id
           WHERE s.id = ${param(principal.sid)} AND s.user_id = ${param(principal.id)}
             AND s.site_id = ${param(principal.siteId)} AND u.role = ${param(principal.role)}
             AND u.active AND s.revoked_at IS NULL AND s.absolute_expires_at > now())`,
      };
    }
    case 'apiClient':
      return null;
  }
}

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
    const params: unknown[] = [];
    const sql = livenessSql(principal, (value) => `$${params.push(value)}`);
    if (sql === null) return options.apiClients ? options.apiClients(principal) : false;
    const rows = await db.query<{ active: boolean }>(
      `${sql.touch ? `WITH seen AS (${sql.touch}) ` : ''}SELECT ${sql.active} AS active`,
      params,
    );
    return rows[0]?.active === true;
  };
}
