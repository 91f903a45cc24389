import { createHash, randomBytes } from 'node:crypto';
import { newId } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import type { Principal } from '#auth/principal';
import type { Scope } from './scopes.js';

/** Keys read `msk_` + 43 base64url characters (256 random bits). */
const KEY_PREFIX = 'msk_';

export interface ApiClient {
  id: string;
  siteId: string;
  name: string;
  scopes: Scope[];
  keyPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** An authenticated API client: the principal every audit row names, and what it may do. */
export type ApiClientPrincipal = Principal & { kind: 'apiClient'; role: 'integration'; scopes: Scope[] };

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

interface Row {
  id: string;
  site_id: string;
  name: string;
  scopes: Scope[];
  key_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toClient = (r: Row): ApiClient => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  scopes: r.scopes,
  keyPrefix: r.key_prefix,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** Creates a client and its key; the key is returned here only and never again. */
export async function createApiClient(
  db: Db,
  input: { siteId: string; name: string; scopes: Scope[]; createdBy: string | null },
): Promise<{ client: ApiClient; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const rows = await db.query<Row>(
    `INSERT INTO api_clients (id, site_id, name, scopes, key_hash, key_prefix, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [newId(), input.siteId, input.name, [...new Set(input.scopes)], hashKey(key), key.slice(0, 10), input.createdBy],
  );
  return { client: toClient(rows[0]!), key };
}

export async function listApiClients(db: Db, siteIds: readonly string[]): Promise<ApiClient[]> {
  const rows = await db.query<Row>(`SELECT * FROM api_clients WHERE site_id = ANY($1::uuid[]) ORDER BY created_at`, [
    siteIds,
  ]);
  return rows.map(toClient);
}

export async function getApiClient(db: Db, id: string): Promise<ApiClient | null> {
  if (!UUID.test(id)) return null;
  const rows = await db.query<Row>(`SELECT * FROM api_clients WHERE id = $1`, [id]);
  return rows[0] ? toClient(rows[0]) : null;
}

/** Revoked at once: the next request with the key is refused. */
export async function revokeApiClient(db: Db, id: string, by: string | null): Promise<ApiClient | null> {
  const rows = await db.query<Row>(
    `UPDATE api_clients SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2)
      WHERE id = $1 RETURNING *`,
    [id, by],
  );
  return rows[0] ? toClient(rows[0]) : null;
}

/** The live client holding this key, or null. */
export async function apiClientByKey(db: Db, key: string): Promise<ApiClientPrincipal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const rows = await db.query<{ id: string; site_id: string; scopes: Scope[] }>(
    `UPDATE api_clients SET last_used_at = now()
      WHERE key_hash = $1 AND revoked_at IS NULL
      RETURNING id, site_id, scopes`,
    [hashKey(key)],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { kind: 'apiClient', id: row.id, role: 'integration', siteId: row.site_id, scopes: row.scopes };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
