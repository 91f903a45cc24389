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
  const { principal, active } = await beginAuthentication(deps, token);
  await active;
  return principal;
}

/**
 * `authenticate` in two halves, for a route that starts its own reads while the
 * database check runs: the token is verified now, and `active` settles once the
 * session or device is known to be live (or rejects with `revoked`). Nothing may
 * leave or commit before it has: revocation still takes effect at once.
 */
export async function beginAuthentication(
  deps: AuthDeps,
  token: string | undefined,
): Promise<{ principal: VerifiedPrincipal; active: Promise<void> }> {
  let principal: VerifiedPrincipal;
  try {
    principal = await deps.tokens.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw new HttpError(401, `token-${error.reason}`, `authentication required: token ${error.reason}`);
    }
    throw error;
  }
  const active = deps.isActive(principal).then((yes) => {
    if (!yes) throw new HttpError(401, 'revoked', 'this device or session has been revoked');
  });
  // A route that fails before it waits for the check must not leave its refusal unhandled.
  active.catch(() => undefined);
  return { principal, active };
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
