import { text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { anonymous } from '#audit/audit-log';
import { HttpError, parseOrThrow } from '#http/errors';
import { disconnectPrincipal } from '#sync/live';
import { findUserByEmail, getUser, type StaffUser } from '#users/queries';
import { getDevice } from '#devices/queries';
import { principalOf, requestOrigin, requirePrincipal } from './authenticate.js';
import type { IdentityDeps } from './identity-deps.js';
import { verifyPassword } from './passwords.js';
import { createSession, revokeSession, rotateRefreshToken, sessionOfRefreshToken } from './sessions.js';
import { siteSummaries, siteSummary, type SiteSummary } from './site-summary.js';

/** Access tokens live a quarter of an hour; the apps refresh them silently. */

const signInBody = z.object({
  email: z.email().max(200),
  password: text.min(1).max(500),
  siteId: z.uuid().optional(),
});
const refreshBody = z.object({ refreshToken: text.min(20).max(200) });

export interface SessionAnswer {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; displayName: string; role: 'admin' | 'desk' };
  site: SiteSummary;
}

/**
 * Staff sign-in: `POST /auth/sign-in`, `/auth/refresh`, `/auth/sign-out`, and
 * `GET /auth/me` for any principal. Access tokens are short-lived and name their
 * session; refresh tokens are opaque, rotate on every use, and a reused one
 * revokes its session.
 */
export function authRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();

  router.post('/sign-in', async (req, res) => {
    const body = parseOrThrow(signInBody, req.body, 'sign-in');
    const origin = requestOrigin(req);
    const email = body.email.toLowerCase();
    await deps.limiter.hit(deps.limits.signInPerIp, origin.ip ?? 'unknown');
    await deps.limiter.hit(deps.limits.signInPerEmail, email);

    const user = await findUserByEmail(deps.db, email);
    const passwordOk = await verifyPassword(user?.passwordHash ?? null, body.password);
    if (user === null || !passwordOk || !user.active) {
      await deps.audit.record({
        // Failures for a known account show in its first site's log; unknown emails in no clinic's.
        actor: user ? { kind: 'user', id: user.id, role: user.role, siteId: user.siteIds[0] ?? null } : anonymous,
        action: 'sign-in-failed',
        via: 'POST /auth/sign-in',
        ...origin,
        details: { reason: user === null ? 'unknown-email' : !passwordOk ? 'wrong-password' : 'inactive' },
      });
      throw new HttpError(401, 'invalid-credentials', 'the email or password is not right');
    }
    await deps.limiter.reset(deps.limits.signInPerEmail, email);

    const sites = await siteSummaries(deps.db, user.siteIds);
    let site: SiteSummary | undefined;
    if (body.siteId !== undefined) {
      site = sites.find((s) => s.id === body.siteId);
      if (site === undefined) throw new HttpError(403, 'site-not-allowed', 'this account does not work at that site');
    } else if (sites.length === 1) {
      site = sites[0];
    } else if (sites.length === 0) {
      throw new HttpError(403, 'no-site', 'this account is not assigned to any site; ask an administrator');
    } else {
      throw new HttpError(409, 'site-required', 'this account works at several sites; choose one', { sites });
    }
    const chosen = site!;
    const { sessionId, refreshToken } = await deps.db.transaction((tx) =>
      createSession(tx, { userId: user.id, siteId: chosen.id, ...origin }, deps.sessions),
    );
    await deps.audit.record({
      actor: { kind: 'user', id: user.id, role: user.role, siteId: chosen.id },
      action: 'sign-in',
      via: 'POST /auth/sign-in',
      ...origin,
      details: { sessionId },
    });
    res.json(await sessionAnswer(deps, user, chosen, sessionId, refreshToken));
  });

  router.post('/refresh', async (req, res) => {
    const body = parseOrThrow(refreshBody, req.body, 'refresh');
    const origin = requestOrigin(req);
    await deps.limiter.hit(deps.limits.refreshPerIp, origin.ip ?? 'unknown');
    const outcome = await rotateRefreshToken(deps.db, body.refreshToken, deps.sessions);
    if (!outcome.ok) {
      if (outcome.reason === 'reused' && outcome.session) {
        disconnectPrincipal(deps.io, { sessionId: outcome.session.id }, 'this sign-in was used from two places');
        await deps.audit.record({
          actor: { kind: 'user', id: outcome.session.userId, role: null, siteId: outcome.session.siteId },
          action: 'refresh-token-reused',
          via: 'POST /auth/refresh',
          ...origin,
          details: { sessionId: outcome.session.id },
        });
        throw new HttpError(
          401,
          'refresh-token-reused',
          'this sign-in was used from two places and has been ended; sign in again',
        );
      }
      const messages = {
        unknown: 'the refresh token is not valid; sign in again',
        revoked: 'this session has ended; sign in again',
        expired: 'this session has expired; sign in again',
        reused: 'this sign-in was used from two places and has been ended; sign in again',
      } as const;
      throw new HttpError(
        401,
        outcome.reason === 'unknown' ? 'invalid-refresh-token' : `session-${outcome.reason}`,
        messages[outcome.reason],
      );
    }
    const { session, refreshToken } = outcome;
    const user = await getUser(deps.db, session.userId);
    const site = await siteSummary(deps.db, session.siteId);
    if (user === null || !user.active || !user.siteIds.includes(session.siteId) || site === null) {
      await revokeSession(deps.db, session.id, 'access-withdrawn');
      throw new HttpError(401, 'session-revoked', 'this account may no longer sign in here; ask an administrator');
    }
    res.json(await sessionAnswer(deps, user, site, session.id, refreshToken));
  });

  router.post('/sign-out', async (req, res) => {
    const body = parseOrThrow(refreshBody, req.body, 'sign-out');
    const session = await sessionOfRefreshToken(deps.db, body.refreshToken);
    if (session !== null) {
      await revokeSession(deps.db, session.id, 'signed-out');
      disconnectPrincipal(deps.io, { sessionId: session.id }, 'signed out');
      await deps.audit.record({
        actor: { kind: 'user', id: session.userId, role: null, siteId: session.siteId },
        action: 'sign-out',
        via: 'POST /auth/sign-out',
        ...requestOrigin(req),
        details: { sessionId: session.id },
      });
    }
    // Signing out twice, or with a token the server no longer knows, is still signed out.
    res.status(204).end();
  });

  router.get('/me', requirePrincipal(deps), async (_req, res) => {
    const principal = principalOf(res);
    const site = await siteSummary(deps.db, principal.siteId);
    const { jti: _jti, sid: _sid, ...shown } = principal;
    if (principal.kind === 'user') {
      const user = await getUser(deps.db, principal.id);
      res.json({ principal: shown, user: user && publicUser(user), site });
    } else if (principal.kind === 'device') {
      const device = await getDevice(deps.db, principal.id);
      res.json({ principal: shown, device, site });
    } else {
      res.json({ principal: shown, site });
    }
  });

  return router;
}

function publicUser(user: StaffUser): SessionAnswer['user'] {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
}

async function sessionAnswer(
  deps: IdentityDeps,
  user: StaffUser,
  site: SiteSummary,
  sessionId: string,
  refreshToken: string,
): Promise<SessionAnswer> {
  const accessToken = await deps.tokens.sign(
    { kind: 'user', id: user.id, role: user.role, siteId: site.id },
    deps.sessions.accessTokenSeconds,
    { sid: sessionId },
  );
  return {
    accessToken,
    refreshToken,
    expiresIn: deps.sessions.accessTokenSeconds,
    user: publicUser(user),
    site,
  };
}
