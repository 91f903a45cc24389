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

/** A token whose signature has been checked: what it says, its use, and when it expires (epoch seconds). */
interface Verified {
  principal: VerifiedPrincipal;
  use: unknown;
  exp: number;
}

/**
 * How many verified tokens are remembered: a few per device and signed-in user
 * of a large clinic network. Past it, the longest remembered is let go (and
 * checked again when next seen).
 */
const VERIFIED_TOKENS = 10_000;

/**
 * Signs and verifies session and device tokens (HS256 with the server's secret).
 * A valid signature is not enough to be let in: `isActive` (auth/is-active.ts)
 * also checks the session or device against the database on every request.
 */
export class TokenService {
  /** Imported once: given the secret's bytes, jose imports the key again on every verify, over a third of its cost. */
  private readonly key: Promise<CryptoKey>;
  /**
   * Tokens already checked, by their text. A device sends the same token on every
   * pull, about once a second, and Node's WebCrypto runs each HMAC as a job on
   * its thread pool: checking it again was a tenth of the server's CPU with 500
   * devices. The signature of a given text never changes, so only the expiry is
   * checked again; revocation is `isActive`'s, on every request as before.
   */
  private readonly verified = new Map<string, Verified>();

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
    const known = this.verified.get(token) ?? (await this.check(token));
    // As jose has it: a token is expired from its `exp` second on.
    if (Math.floor(Date.now() / 1000) >= known.exp) {
      this.verified.delete(token);
      throw new InvalidTokenError('expired');
    }
    if (known.use !== use) throw new InvalidTokenError('invalid');
    return known.principal;
  }

  /** Checks the token's signature, issuer and expiry, and remembers what it says. */
  private async check(token: string): Promise<Verified> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      const principal = principalSchema.parse({
        kind: payload.kind,
        id: payload.sub,
        role: payload.role,
        siteId: payload.site,
      });
      const verified: Verified = {
        // Handed to every request that brings this token: no request may change it for the next.
        principal: Object.freeze({
          ...principal,
          jti: String(payload.jti),
          ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
        }),
        use: payload.use,
        exp: payload.exp!,
      };
      if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, verified);
      return verified;
    } catch (error) {
      throw new InvalidTokenError(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
