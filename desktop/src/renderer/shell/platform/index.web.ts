import { KIOSK_IDLE_SECONDS, type AppName, type SecretName } from '../../../common/api.js';
import type { Platform } from './platform.js';

export interface WebEnvironment {
  location: Pick<Location, 'href' | 'origin' | 'search'>;
  document: Pick<Document, 'querySelector'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  localStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * In a plain browser (the pages the sync server serves at /app/…): the server
 * is the page's own origin unless the deployment set
 * `<meta name="medisync-server-url">`; a staff session lasts as long as the
 * tab (sessionStorage), a device enrollment as long as the browser profile
 * (localStorage), since a waiting-room TV must come back by itself after a
 * power cut.
 */
export function webPlatform(app: AppName, env: WebEnvironment = window): Platform {
  const storageFor = (name: SecretName) => (name === 'staff-session' ? env.sessionStorage : env.localStorage);
  const key = (name: SecretName) => `medisync.${name}`;
  return {
    kind: 'web',
    config: async () => ({
      app,
      serverUrl: serverUrlOf(env),
      kioskScreen: null,
      kioskIdleSeconds: idleSecondsOf(env.location.search),
      ticketPrinter: null,
    }),
    readSecret: async (name) => storageFor(name).getItem(key(name)),
    writeSecret: async (name, value) => storageFor(name).setItem(key(name), value),
    deleteSecret: async (name) => storageFor(name).removeItem(key(name)),
    // A key kept beside the data it protects would protect nothing.
    databaseKey: async () => null,
  };
}

function serverUrlOf(env: WebEnvironment): string {
  const configured = env.document.querySelector<HTMLMetaElement>('meta[name="medisync-server-url"]')?.content.trim();
  if (configured) {
    try {
      return new URL(configured, env.location.href).origin;
    } catch {
      // A broken deployment setting falls back to the page's own server.
    }
  }
  return env.location.origin;
}

/** `?idle=30` shortens or lengthens a kiosk's idle reset, within sane bounds. */
function idleSecondsOf(search: string): number {
  const raw = Number(new URLSearchParams(search).get('idle'));
  if (!Number.isInteger(raw) || raw <= 0) return KIOSK_IDLE_SECONDS.default;
  return Math.min(KIOSK_IDLE_SECONDS.max, Math.max(KIOSK_IDLE_SECONDS.min, raw));
}
