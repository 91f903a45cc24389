import { newId } from '@medisync/shared/domain';
import { hashPassword } from '#auth/passwords';
import type { Db } from '#db/db';
import { findUserByEmail, insertUser, setUserSites, type StaffRole } from './queries.js';

export const DEMO_PASSWORD = 'medisync-demo';

export const demoStaff: readonly { email: string; displayName: string; role: StaffRole }[] = [
  { email: 'admin@demo.clinic', displayName: 'Alex Admin', role: 'admin' },
  { email: 'desk@demo.clinic', displayName: 'Dana Desk', role: 'desk' },
];

/**
 * The demo clinic's staff: an admin and a front-desk user, password
 * `medisync-demo`. Idempotent: existing accounts are only given the site.
 */
export async function seedDemoStaff(db: Db, siteId: string): Promise<void> {
  for (const staff of demoStaff) {
    const existing = await findUserByEmail(db, staff.email);
    const passwordHash = existing ? '' : await hashPassword(DEMO_PASSWORD);
    await db.transaction(async (tx) => {
      const id = existing?.id ?? newId();
      if (!existing) await insertUser(tx, { id, ...staff, passwordHash });
      const current = existing?.siteIds ?? [];
      await setUserSites(tx, id, [...new Set([...current, siteId])]);
    });
  }
}
