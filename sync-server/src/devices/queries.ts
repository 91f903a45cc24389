import type { Db, Tx } from '#db/db';

export const deviceRoles = ['desk', 'kiosk', 'display'] as const;
export type DeviceRole = (typeof deviceRoles)[number];

/** What an enrollment code asks for; a desktop app's principal role is "desk". */
export const enrollmentRoles = ['desktop', 'kiosk', 'display'] as const;
export type EnrollmentRole = (typeof enrollmentRoles)[number];
export const principalRoleOf = (role: EnrollmentRole): DeviceRole => (role === 'desktop' ? 'desk' : role);

export interface Device {
  id: string;
  siteId: string;
  role: DeviceRole;
  name: string;
  label: string;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

type DeviceRow = {
  id: string;
  site_id: string;
  role: DeviceRole;
  name: string;
  label: string;
  enrolled_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
};

const DEVICE_SELECT = 'SELECT id, site_id, role, name, label, enrolled_at, last_seen_at, revoked_at FROM devices';

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    siteId: row.site_id,
    role: row.role,
    name: row.name,
    label: row.label,
    enrolledAt: row.enrolled_at.toISOString(),
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getDevice(db: Db, id: string): Promise<Device | null> {
  if (!UUID.test(id)) return null;
  const rows = await db.query<DeviceRow>(`${DEVICE_SELECT} WHERE id = $1`, [id]);
  return rows[0] ? toDevice(rows[0]) : null;
}

export async function listDevices(db: Db, siteIds: readonly string[]): Promise<Device[]> {
  const rows = await db.query<DeviceRow>(
    `${DEVICE_SELECT} WHERE site_id = ANY($1::uuid[]) ORDER BY enrolled_at DESC, id`,
    [siteIds],
  );
  return rows.map(toDevice);
}

export async function insertDevice(
  tx: Tx,
  device: {
    id: string;
    siteId: string;
    role: DeviceRole;
    name: string;
    label: string;
    tokenId: string;
    enrolledBy: string | null;
  },
): Promise<Device> {
  const { rows } = await tx.query<DeviceRow>(
    `INSERT INTO devices (id, site_id, role, name, label, token_id, enrolled_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING id, site_id, role, name, label, enrolled_at, last_seen_at, revoked_at`,
    [device.id, device.siteId, device.role, device.name, device.label, device.tokenId, device.enrolledBy],
  );
  return toDevice(rows[0]!);
}

/** Marks a device revoked; the first revocation's time and admin are kept. */
export async function markDeviceRevoked(db: Db, id: string, by: string | null): Promise<Device | null> {
  const rows = await db.query<DeviceRow>(
    `UPDATE devices SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2)
      WHERE id = $1
      RETURNING id, site_id, role, name, label, enrolled_at, last_seen_at, revoked_at`,
    [id, by],
  );
  return rows[0] ? toDevice(rows[0]) : null;
}
