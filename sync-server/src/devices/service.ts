import { newId } from '@medisync/shared/domain';
import type { Server } from 'socket.io';
import type { TokenService } from '#auth/tokens';
import type { Db, Tx } from '#db/db';
import { disconnectPrincipal } from '#sync/live';
import {
  hashEnrollmentCode,
  newEnrollmentCode,
  normalizeEnrollmentCode,
  ENROLLMENT_CODE_SECONDS,
} from './enrollment-code.js';
import {
  insertDevice,
  markDeviceRevoked,
  principalRoleOf,
  type Device,
  type DeviceRole,
  type EnrollmentRole,
} from './queries.js';

/**
 * Device tokens are long-lived: a lobby kiosk must keep working for years
 * without anyone signing in. They are still checked against the devices table
 * on every request (auth/is-active.ts), so revoking one takes effect at once.
 */
export const DEVICE_TOKEN_SECONDS = 5 * 365 * 24 * 3600;

/** Creates a device and its token. Enrollment uses it; so do tests that need an enrolled device. */
export async function registerDevice(
  tx: Tx,
  tokens: TokenService,
  device: { siteId: string; role: DeviceRole; name: string; label: string; enrolledBy: string | null },
): Promise<{ device: Device; deviceToken: string }> {
  const id = newId();
  const tokenId = newId();
  const stored = await insertDevice(tx, { ...device, id, tokenId });
  const deviceToken = await tokens.sign(
    { kind: 'device', id, role: device.role, siteId: device.siteId },
    DEVICE_TOKEN_SECONDS,
    {
      jti: tokenId,
    },
  );
  return { device: stored, deviceToken };
}

export async function createEnrollmentCode(
  db: Db,
  request: { siteId: string; role: EnrollmentRole; label: string; createdBy: string },
): Promise<{ code: string; expiresAt: string }> {
  const code = newEnrollmentCode();
  const rows = await db.query<{ expires_at: Date }>(
    `INSERT INTO enrollment_codes (code_hash, site_id, role, label, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
     RETURNING expires_at`,
    [
      hashEnrollmentCode(normalizeEnrollmentCode(code)!),
      request.siteId,
      request.role,
      request.label,
      request.createdBy,
      ENROLLMENT_CODE_SECONDS,
    ],
  );
  return { code, expiresAt: rows[0]!.expires_at.toISOString() };
}

export type EnrollOutcome =
  { ok: true; device: Device; deviceToken: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** Exchanges a one-time code for an enrolled device and its token. */
export async function enrollDevice(db: Db, tokens: TokenService, code: string, name: string): Promise<EnrollOutcome> {
  const normalized = normalizeEnrollmentCode(code);
  if (normalized === null) return { ok: false, reason: 'unknown' };
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{
      site_id: string;
      role: EnrollmentRole;
      label: string;
      created_by: string;
      used_at: Date | null;
      expired: boolean;
    }>(
      `SELECT site_id, role, label, created_by, used_at, expires_at <= now() AS expired
         FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE`,
      [hashEnrollmentCode(normalized)],
    );
    const row = rows[0];
    if (row === undefined) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'used' };
    if (row.expired) return { ok: false, reason: 'expired' };
    const registered = await registerDevice(tx, tokens, {
      siteId: row.site_id,
      role: principalRoleOf(row.role),
      name,
      label: row.label,
      enrolledBy: row.created_by,
    });
    await tx.query('UPDATE enrollment_codes SET used_at = now(), device_id = $2 WHERE code_hash = $1', [
      hashEnrollmentCode(normalized),
      registered.device.id,
    ]);
    return { ok: true, ...registered };
  });
}

/**
 * Revokes a device: its next request and handshake are refused (auth/is-active.ts),
 * and its open sockets are told `revoked` and closed now, on every server instance.
 */
export async function revokeDevice(db: Db, io: Server, id: string, by: string | null): Promise<Device | null> {
  const device = await markDeviceRevoked(db, id, by);
  if (device !== null) disconnectPrincipal(io, { kind: 'device', id }, 'this device has been revoked');
  return device;
}
