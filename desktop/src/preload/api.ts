import type { IpcRenderer } from 'electron';
import type { MedisyncApi } from '../common/api.js';
import { ipcChannels } from '../common/ipc.js';

/**
 * `window.medisync`: one named function per fixed channel, passing exactly its
 * own arguments. Nothing of `ipcRenderer` itself reaches the page.
 */
export function createMedisyncApi(ipc: Pick<IpcRenderer, 'invoke'>) {
  return {
    getConfig: () => ipc.invoke(ipcChannels.getConfig),
    readSecret: (name) => ipc.invoke(ipcChannels.readSecret, name),
    writeSecret: (name, value) => ipc.invoke(ipcChannels.writeSecret, name, value),
    deleteSecret: (name) => ipc.invoke(ipcChannels.deleteSecret, name),
    getDatabaseKey: () => ipc.invoke(ipcChannels.getDatabaseKey),
    printTicket: () => ipc.invoke(ipcChannels.printTicket),
  } satisfies MedisyncApi;
}
