import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AuditLog } from '#audit/audit-log';
import type { SessionLifetimes } from '#config';
import type { Db } from '#db/db';
import type { IsActive } from './authenticate.js';
import type { AbuseLimits, RateLimiter } from './rate-limit.js';
import type { TokenService } from './tokens.js';

/** What the identity routes (auth, users, devices, audit) need. */
export interface IdentityDeps {
  db: Db;
  log: Logger;
  io: Server;
  tokens: TokenService;
  isActive: IsActive;
  audit: AuditLog;
  limiter: RateLimiter;
  limits: AbuseLimits;
  sessions: SessionLifetimes;
}
