import { jwtVerify, SignJWT, errors } from 'jose';
import { principalSchema, type Principal } from './principal.js';

const ISSUER = 'medisync';

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'missing' | 'invalid' | 'expired') {
    super(`token ${reason}`);
  }
}

/** A verified token: who it is for, its own id and, for a staff access token, the session it belongs to. */
export type VerifiedPrincipal = Principal & { jti: string; sid?: string };

/**
 * Signs and verifies session and device tokens (HS256 with the server's secret).
 * A valid signature is not enough to be let in: `isActive` (auth/is-active.ts)
 * also checks the session or device against the database on every request.
 */
export class TokenService {
  /** Imported once: given the secret's bytes, jose imports the key again on every verify, over a third of its cost. */
  private readonly key: Promise<CryptoKey>;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('TOKEN_SECRET must be at least 32 characters');
    this.key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  async sign(
    principal: Principal,
    ttlSeconds: number,
    extra: { jti?: string; use?: string; sid?: string } = {},
  ): Promise<string> {
    return new SignJWT({
      kind: principal.kind,
      role: principal.role,
      site: principal.siteId,
      use: extra.use ?? 'access',
      ...(extra.sid === undefined ? {} : { sid: extra.sid }),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.id)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .setJti(extra.jti ?? crypto.randomUUID())
      .sign(await this.key);
  }

  async verify(token: string | undefined, use = 'access'): Promise<VerifiedPrincipal> {
    if (!token) throw new InvalidTokenError('missing');
    try {
      const { payload } = await jwtVerify(token, await this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (payload.use !== use) throw new InvalidTokenError('invalid');
      const principal = principalSchema.parse({
        kind: payload.kind,
        id: payload.sub,
        role: payload.role,
        siteId: payload.site,
      });
      return {
        ...principal,
        jti: String(payload.jti),
        ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
      };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      throw new InvalidTokenError(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
