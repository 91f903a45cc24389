import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '#http/errors';
import type { Role } from './principal.js';
import { bearerToken, InvalidTokenError, type TokenService, type VerifiedPrincipal } from './tokens.js';

/** Whether a verified principal is still allowed in: its session or device not revoked (auth/is-active.ts). */
export type IsActive = (principal: VerifiedPrincipal) => Promise<boolean>;

export interface AuthDeps {
  tokens: TokenService;
  isActive: IsActive;
}

/**
 * Verifies a token and checks its session or device against the database.
 * Every HTTP route and socket handshake goes through here. Answers 401 with a
 * code a client acts on: `token-missing`, `token-invalid`, `token-expired`
 * (refresh and retry) or `revoked` (stop syncing and say so).
 */
export async function authenticate(deps: AuthDeps, token: string | undefined): Promise<VerifiedPrincipal> {
  const principal = await verifyToken(deps, token);
  await checkActive(deps, principal);
  return principal;
}

/** `authenticate`'s second half: refuses with `revoked` a principal whose session or device is no longer live. */
export async function checkActive(deps: Pick<AuthDeps, 'isActive'>, principal: VerifiedPrincipal): Promise<void> {
  if (!(await deps.isActive(principal))) throw revokedError();
}

/**
 * `authenticate`'s first half alone: the token's signature, expiry and claims,
 * with no database. Only for a route that checks the database half itself, in
 * the statement that serves it (`livenessSql`, as sync pulls do).
 */
export async function verifyToken(deps: Pick<AuthDeps, 'tokens'>, token: string | undefined) {
  try {
    return await deps.tokens.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw new HttpError(401, `token-${error.reason}`, `authentication required: token ${error.reason}`);
    }
    throw error;
  }
}

/** The refusal of a principal whose device or session is no longer live: clients stop syncing on it. */
export function revokedError(): HttpError {
  return new HttpError(401, 'revoked', 'this device or session has been revoked');
}

/** Lets the request through only for an authenticated principal with one of `roles` (any role when omitted). */
export function requirePrincipal(deps: AuthDeps, roles?: readonly Role[]): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticate(deps, bearerToken(req.header('authorization')));
    if (roles !== undefined && !roles.includes(principal.role)) {
      throw new HttpError(403, 'forbidden', `role "${principal.role}" may not ${req.method} ${req.baseUrl}${req.path}`);
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): VerifiedPrincipal {
  const principal = res.locals.principal as VerifiedPrincipal | undefined;
  if (principal === undefined) throw new Error('route is missing requirePrincipal');
  return principal;
}

/** Where a request comes from, for the audit log. */
export function requestOrigin(req: Request): { ip: string | null; userAgent: string | null } {
  return { ip: req.ip ?? null, userAgent: req.header('user-agent')?.slice(0, 300) ?? null };
}
