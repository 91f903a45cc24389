import type { MedisyncApi } from './api.js';

/** Every IPC channel carries this prefix; main's router refuses anything else. */
export const IPC_PREFIX = 'medisync:';

/** One fixed channel per API function; the preload and main both read this table. */
export const ipcChannels = {
  getConfig: 'medisync:get-config',
  readSecret: 'medisync:read-secret',
  writeSecret: 'medisync:write-secret',
  deleteSecret: 'medisync:delete-secret',
  getDatabaseKey: 'medisync:get-database-key',
  printTicket: 'medisync:print-ticket',
} as const satisfies { [K in keyof MedisyncApi]: `${typeof IPC_PREFIX}${string}` };
