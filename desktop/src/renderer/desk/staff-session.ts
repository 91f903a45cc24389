import { z } from 'zod';
import type { Platform } from '../shell/platform/index.js';
import {
  ServerApiError,
  ServerUnreachableError,
  type ServerApi,
  type SiteSummary,
  type StaffSessionGrant,
  type StaffUser,
} from '../shell/server-api.js';

/** What survives a restart (in the keychain, or sessionStorage in a browser): enough to resume, offline too. */
const storedSessionSchema = z.object({
  refreshToken: z.string().min(1),
  user: z.object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(['admin', 'desk', 'kiosk', 'display', 'integration']),
  }),
  site: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
});

/** Refresh this long before the access token expires, so no request carries an expired one. */
const REFRESH_MARGIN_MS = 60_000;
const RETRY_MS = 15_000;

export type SessionEnd = 'signed-out' | 'expired';

/**
 * A signed-in staff member at one site. It keeps the access token fresh
 * (refreshing ahead of expiry and retrying while the server is unreachable),
 * hands it to sync through `getToken`, and remembers the refresh token so the
 * app can resume after a restart, even one made while the server is down.
 */
export class StaffSession {
  readonly user: StaffUser;
  readonly site: SiteSummary;
  private accessToken: string | null;
  private refreshToken: string;
  private expiresAt: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<void> | null = null;
  private ended = false;
  private readonly endListeners = new Set<(reason: SessionEnd) => void>();

  private constructor(
    private readonly api: ServerApi,
    private readonly platform: Platform,
    state: { accessToken: string | null; refreshToken: string; expiresAt: number; user: StaffUser; site: SiteSummary },
    private readonly now: () => number,
  ) {
    this.user = state.user;
    this.site = state.site;
    this.accessToken = state.accessToken;
    this.refreshToken = state.refreshToken;
    this.expiresAt = state.expiresAt;
    this.schedule();
  }

  static async signIn(
    api: ServerApi,
    platform: Platform,
    credentials: { email: string; password: string; siteId?: string },
    now: () => number = Date.now,
  ): Promise<StaffSession> {
    const grant = await api.signIn(credentials);
    const session = new StaffSession(api, platform, StaffSession.stateOf(grant, now), now);
    await session.persist();
    return session;
  }

  /**
   * The session stored by an earlier run, refreshed when the server answers.
   * When it cannot be reached the session resumes without an access token,
   * so the replica opens and the desk keeps working; sync catches up later.
   */
  static async resume(api: ServerApi, platform: Platform, now: () => number = Date.now): Promise<StaffSession | null> {
    const raw = await platform.readSecret('staff-session');
    if (raw === null) return null;
    let stored: z.infer<typeof storedSessionSchema>;
    try {
      stored = storedSessionSchema.parse(JSON.parse(raw));
    } catch {
      await platform.deleteSecret('staff-session');
      return null;
    }
    const session = new StaffSession(api, platform, { ...stored, accessToken: null, expiresAt: 0 }, now);
    try {
      await session.refresh();
    } catch (error) {
      if (!(error instanceof ServerUnreachableError)) return null;
    }
    return session.ended ? null : session;
  }

  /** For sync: the current access token, refreshed first when it is about to expire. Never rejects. */
  getToken = async (): Promise<string> => {
    if (this.accessToken === null || this.now() >= this.expiresAt - REFRESH_MARGIN_MS / 2) {
      await this.refresh().catch(() => undefined);
    }
    return this.accessToken ?? '';
  };

  onEnd(listener: (reason: SessionEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Signs out at the server (when reachable) and forgets the session on this device. */
  async signOut(): Promise<void> {
    const token = this.refreshToken;
    this.end('signed-out');
    await this.platform.deleteSecret('staff-session');
    await this.api.signOut(token).catch(() => undefined);
  }

  /** Stops refreshing without signing out (the window is closing). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private refresh(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const grant = await this.api.refresh(this.refreshToken);
        const state = StaffSession.stateOf(grant, this.now);
        this.accessToken = state.accessToken;
        this.refreshToken = state.refreshToken;
        this.expiresAt = state.expiresAt;
        await this.persist();
      } catch (error) {
        if (error instanceof ServerApiError && (error.status === 401 || error.status === 403)) {
          await this.platform.deleteSecret('staff-session');
          this.end('expired');
        }
        throw error;
      } finally {
        this.refreshing = null;
        this.schedule();
      }
    })();
    return this.refreshing;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ended) return;
    const due =
      this.accessToken === null ? RETRY_MS : Math.max(this.expiresAt - REFRESH_MARGIN_MS - this.now(), RETRY_MS / 3);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), due);
  }

  private end(reason: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.dispose();
    for (const listener of this.endListeners) listener(reason);
  }

  private persist(): Promise<void> {
    const stored: z.infer<typeof storedSessionSchema> = {
      refreshToken: this.refreshToken,
      user: this.user,
      site: this.site,
    };
    return this.platform.writeSecret('staff-session', JSON.stringify(stored));
  }

  private static stateOf(grant: StaffSessionGrant, now: () => number) {
    return {
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: now() + grant.expiresIn * 1000,
      user: grant.user,
      site: grant.site,
    };
  }
}
