import type { Db, Tx } from '#db/db';

export const staffRoles = ['admin', 'desk'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** A staff account as admins see it; never the password hash. */
export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  siteIds: string[];
  createdAt: string;
  updatedAt: string;
}

type UserRow = {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  active: boolean;
  site_ids: string[] | null;
  created_at: Date;
  updated_at: Date;
};

const USER_SELECT = `
  SELECT u.id, u.email, u.display_name, u.role, u.active, u.created_at, u.updated_at,
         (SELECT array_agg(us.site_id ORDER BY us.site_id) FROM user_sites us WHERE us.user_id = u.id) AS site_ids
    FROM users u`;

function toUser(row: UserRow): StaffUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    active: row.active,
    siteIds: row.site_ids ?? [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function rows<R extends object>(db: Db | Tx, sql: string, params: unknown[]): Promise<R[]> {
  return 'pool' in db ? db.query<R>(sql, params) : (await db.query<R>(sql, params)).rows;
}

export async function findUserByEmail(
  db: Db | Tx,
  email: string,
): Promise<(StaffUser & { passwordHash: string }) | null> {
  const found = await rows<UserRow & { password_hash: string }>(
    db,
    `${USER_SELECT.replace('u.updated_at,', 'u.updated_at, u.password_hash,')} WHERE lower(u.email) = lower($1)`,
    [email],
  );
  const row = found[0];
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

export async function getUser(db: Db | Tx, id: string): Promise<StaffUser | null> {
  const found = await rows<UserRow>(db, `${USER_SELECT} WHERE u.id = $1`, [id]);
  return found[0] ? toUser(found[0]) : null;
}

/** Users who work at any of `siteIds`. */
export async function listUsers(db: Db, siteIds: readonly string[]): Promise<StaffUser[]> {
  const found = await db.query<UserRow>(
    `${USER_SELECT} WHERE EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id AND s.site_id = ANY($1::uuid[]))
      ORDER BY lower(u.email)`,
    [siteIds],
  );
  return found.map(toUser);
}

export async function insertUser(
  tx: Tx,
  user: { id: string; email: string; displayName: string; role: StaffRole; passwordHash: string },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO users (id, email, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [user.id, user.email, user.displayName, user.role, user.passwordHash],
  );
  return rowCount === 1;
}

export async function updateUser(
  tx: Tx,
  id: string,
  patch: { displayName?: string; role?: StaffRole; active?: boolean; passwordHash?: string },
): Promise<void> {
  const sets: string[] = ['updated_at = now()'];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (patch.displayName !== undefined) set('display_name', patch.displayName);
  if (patch.role !== undefined) set('role', patch.role);
  if (patch.active !== undefined) set('active', patch.active);
  if (patch.passwordHash !== undefined) set('password_hash', patch.passwordHash);
  await tx.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function setUserSites(tx: Tx, userId: string, siteIds: readonly string[]): Promise<void> {
  await tx.query('DELETE FROM user_sites WHERE user_id = $1 AND NOT (site_id = ANY($2::uuid[]))', [userId, siteIds]);
  await tx.query(`INSERT INTO user_sites (user_id, site_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [
    userId,
    siteIds,
  ]);
}

/** The sites a staff user works at: the reach of an admin's user and device management. */
export async function userSiteIds(db: Db, userId: string): Promise<string[]> {
  const found = await db.query<{ site_id: string }>(
    'SELECT site_id FROM user_sites WHERE user_id = $1 ORDER BY site_id',
    [userId],
  );
  return found.map((r) => r.site_id);
}
