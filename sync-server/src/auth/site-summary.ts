import type { Db, Tx } from '#db/db';

export interface SiteSummary {
  id: string;
  name: string;
  timezone: string;
}

const SITE_SQL = `SELECT id, doc->>'name' AS name, doc->>'timezone' AS timezone FROM sites WHERE id = ANY($1::uuid[]) AND NOT deleted ORDER BY doc->>'name', id`;

/** Name and time zone of sites, as sign-in, enrollment and `/auth/me` answer them. */
export async function siteSummaries(db: Db | Tx, siteIds: readonly string[]): Promise<SiteSummary[]> {
  if (siteIds.length === 0) return [];
  if ('pool' in db) return db.query<SiteSummary>(SITE_SQL, [siteIds]);
  return (await db.query<SiteSummary>(SITE_SQL, [siteIds])).rows;
}

export async function siteSummary(db: Db | Tx, siteId: string): Promise<SiteSummary | null> {
  return (await siteSummaries(db, [siteId]))[0] ?? null;
}
