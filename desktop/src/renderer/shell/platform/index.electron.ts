import type { MedisyncApi } from '../../../common/api.js';
import type { Platform } from './platform.js';

/** Inside Electron: configuration and OS-keychain secrets through the preload's `window.medisync`. */
export function electronPlatform(api: MedisyncApi): Platform {
  return {
    kind: 'electron',
    config: () => api.getConfig(),
    readSecret: (name) => api.readSecret(name),
    writeSecret: (name, value) => api.writeSecret(name, value),
    deleteSecret: (name) => api.deleteSecret(name),
    databaseKey: () => api.getDatabaseKey(),
  };
}
