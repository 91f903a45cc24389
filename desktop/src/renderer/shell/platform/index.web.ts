import type { AppName, SecretName } from '../../../common/api.js';
import { DEFAULT_IDLE_SECONDS, MAX_IDLE_SECONDS, MIN_IDLE_SECONDS, type Platform } from './platform.js';

/**
 * In a plain browser (the pages the sync server serves at /app/…): the server
 * is the page's own origin unless the deployment set
 * `<meta name="medisync-server-url">`; a staff session lasts as long as the
 * tab (sessionStorage), a device enrollment as long as the browser profile
 * (localStorage), since a waiting-room TV must come back by itself after a
 * power cut.
 */
export function webPlatform(app: AppName, location: Location = window.location, doc: Document = document): Platform {
  const storageFor = (name: SecretName) => (name === 'staff-session' ? window.sessionStorage : window.localStorage);
  const key = (name: SecretName) => `medisync.${name}`;
  return {
    kind: 'web',
    config: async () => ({
      app,
      serverUrl: serverUrlOf(doc, location),
      kioskScreen: null,
      kioskIdleSeconds: idleSecondsOf(location),
    }),
    readSecret: async (name) => storageFor(name).getItem(key(name)),
    writeSecret: async (name, value) => storageFor(name).setItem(key(name), value),
    deleteSecret: async (name) => storageFor(name).removeItem(key(name)),
  };
}

function serverUrlOf(doc: Document, location: Location): string {
  const configured = doc.querySelector<HTMLMetaElement>('meta[name="medisync-server-url"]')?.content.trim();
  if (configured) {
    try {
      return new URL(configured, location.href).origin;
    } catch {
      // A broken deployment setting falls back to the page's own server.
    }
  }
  return location.origin;
}

/** `?idle=30` shortens or lengthens a kiosk's idle reset, within sane bounds. */
function idleSecondsOf(location: Location): number {
  const raw = Number(new URLSearchParams(location.search).get('idle'));
  if (!Number.isInteger(raw) || raw === 0) return DEFAULT_IDLE_SECONDS;
  return Math.min(MAX_IDLE_SECONDS, Math.max(MIN_IDLE_SECONDS, raw));
}
