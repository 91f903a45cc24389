import { createHash, randomBytes } from 'node:crypto';
import { newId } from '@medisync/shared/domain';
import type { SessionLifetimes } from '#config';
import type { Db, Tx } from '#db/db';

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();
const newRefreshToken = () => randomBytes(32).toString('base64url');

export interface SessionRow {
  id: string;
  userId: string;
  siteId: string;
}

/** Starts a session and returns its first refresh token (shown once, stored only as a hash). */
export async function createSession(
  tx: Tx,
  session: { userId: string; siteId: string; ip: string | null; userAgent: string | null },
  lifetimes: SessionLifetimes,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = newId();
  await tx.query(
    `INSERT INTO sessions (id, user_id, site_id, expires_at, absolute_expires_at, ip, user_agent)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), now() + make_interval(secs => $5), $6, $7)`,
    [
      sessionId,
      session.userId,
      session.siteId,
      lifetimes.idleSeconds,
      lifetimes.maxSeconds,
      session.ip,
      session.userAgent,
    ],
  );
  const refreshToken = newRefreshToken();
  await tx.query('INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
    hashToken(refreshToken),
    sessionId,
  ]);
  return { sessionId, refreshToken };
}

export type RotateOutcome =
  | { ok: true; session: SessionRow; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'reused' | 'revoked' | 'expired'; session?: SessionRow };

/**
 * Exchanges a refresh token for a new one. Each token works once: presenting a
 * used one means two parties hold it (a stolen copy), so the whole session is
 * revoked and both must sign in again.
 */
export async function rotateRefreshToken(
  db: Db,
  refreshToken: string,
  lifetimes: SessionLifetimes,
): Promise<RotateOutcome> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{
      session_id: string;
      used_at: Date | null;
      user_id: string;
      site_id: string;
      revoked_at: Date | null;
      expired: boolean;
    }>(
      `SELECT t.session_id, t.used_at, s.user_id, s.site_id, s.revoked_at,
              (s.expires_at <= now() OR s.absolute_expires_at <= now()) AS expired
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1
        FOR UPDATE OF t, s`,
      [hashToken(refreshToken)],
    );
    const row = rows[0];
    if (row === undefined) return { ok: false, reason: 'unknown' };
    const session = { id: row.session_id, userId: row.user_id, siteId: row.site_id };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked', session };
    if (row.used_at !== null) {
      await revokeSessionTx(tx, session.id, 'refresh-token-reused');
      return { ok: false, reason: 'reused', session };
    }
    if (row.expired) return { ok: false, reason: 'expired', session };
    await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [hashToken(refreshToken)]);
    const next = newRefreshToken();
    await tx.query('INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
      hashToken(next),
      session.id,
    ]);
    await tx.query(
      `UPDATE sessions SET expires_at = least(now() + make_interval(secs => $2), absolute_expires_at) WHERE id = $1`,
      [session.id, lifetimes.idleSeconds],
    );
    return { ok: true, session, refreshToken: next };
  });
}

/** The session a refresh token (used or not) belongs to. */
export async function sessionOfRefreshToken(db: Db, refreshToken: string): Promise<SessionRow | null> {
  const rows = await db.query<{ id: string; user_id: string; site_id: string }>(
    `SELECT s.id, s.user_id, s.site_id FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1`,
    [hashToken(refreshToken)],
  );
  const row = rows[0];
  return row ? { id: row.id, userId: row.user_id, siteId: row.site_id } : null;
}

async function revokeSessionTx(tx: Tx, sessionId: string, reason: string): Promise<void> {
  await tx.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`, [
    sessionId,
    reason,
  ]);
}

export async function revokeSession(db: Db, sessionId: string, reason: string): Promise<void> {
  await db.transaction((tx) => revokeSessionTx(tx, sessionId, reason));
}

/** Ends every session of a user (password reset, deactivation, role or site change). */
export async function revokeUserSessions(tx: Tx, userId: string, reason: string): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
    [userId, reason],
  );
  return rowCount ?? 0;
}
