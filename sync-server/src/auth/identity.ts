import express from 'express';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { AuditLog } from '#audit/audit-log';
import { defaultSessionLifetimes, type SessionLifetimes } from '#config';
import { auditRouter } from '#audit/router';
import type { Db } from '#db/db';
import { adminDevicesRouter, enrollmentRouter } from '#devices/router';
import { kioskRouter } from '#kiosk/router';
import { usersRouter } from '#users/router';
import type { IsActive } from './authenticate.js';
import type { IdentityDeps } from './identity-deps.js';
import { createIsActive } from './is-active.js';
import { defaultAbuseLimits, RateLimiter, type AbuseLimits } from './rate-limit.js';
import { authRouter } from './router.js';
import type { TokenService } from './tokens.js';

export interface IdentityOptions {
  db: Db;
  log: Logger;
  io: Server;
  tokens: TokenService;
  isActive?: IsActive;
  audit?: AuditLog;
  limits?: Partial<AbuseLimits>;
  /** Access token and session lifetimes (SESSION_* and ACCESS_TOKEN_LIFETIME). */
  sessions?: SessionLifetimes;
}

/**
 * The identity routes: `/auth/*` (staff sign-in, refresh, sign-out, me),
 * `/devices/enroll`, `/kiosk/identify`, and the admin routes `/admin/users`,
 * `/admin/enrollment-codes`, `/admin/devices`, `/admin/audit`.
 */
export function createIdentityRouter(options: IdentityOptions): express.Router {
  const deps: IdentityDeps = {
    db: options.db,
    log: options.log,
    io: options.io,
    tokens: options.tokens,
    isActive: options.isActive ?? createIsActive(options.db),
    audit: options.audit ?? new AuditLog(options.db),
    limiter: new RateLimiter(options.db),
    limits: { ...defaultAbuseLimits, ...options.limits },
    sessions: options.sessions ?? defaultSessionLifetimes,
  };
  const router = express.Router();
  router.use('/auth', authRouter(deps));
  router.use('/devices', enrollmentRouter(deps));
  router.use('/kiosk', kioskRouter(deps));
  router.use('/admin/users', usersRouter(deps));
  router.use('/admin/audit', auditRouter(deps));
  router.use('/admin', adminDevicesRouter(deps));
  return router;
}
