import type { WebContents } from 'electron';
import { z } from 'zod';
import { MAX_SECRET_LENGTH, secretNames, type MedisyncApi, type ShellConfig } from '../../common/api.js';
import { ipcChannels } from '../../common/ipc.js';
import type { IpcRouter } from './ipc-router.js';
import type { Keychain } from './keychain.js';
import { printTicketSilently } from './ticket-printer.js';

/** Each API function's handler: its parsed arguments, then the calling page's web contents. */
type Handlers = {
  [K in keyof MedisyncApi]: (
    ...args: [...Parameters<MedisyncApi[K]>, sender: WebContents]
  ) => ReturnType<MedisyncApi[K]>;
};

const secretName = z.enum(secretNames);

/** The arguments each API function accepts, checked in main whatever the preload sent. */
export const medisyncApiArguments = {
  getConfig: z.tuple([]),
  readSecret: z.tuple([secretName]),
  writeSecret: z.tuple([secretName, z.string().min(1).max(MAX_SECRET_LENGTH)]),
  deleteSecret: z.tuple([secretName]),
  getDatabaseKey: z.tuple([]),
  printTicket: z.tuple([]),
} satisfies { [K in keyof MedisyncApi]: z.ZodType<Parameters<MedisyncApi[K]>> };

/** Main's side of `window.medisync`. */
export function medisyncApiHandlers(
  config: ShellConfig,
  keychain: Keychain,
  log: (message: string) => void = () => undefined,
): Handlers {
  return {
    getConfig: async () => config,
    readSecret: (name) => keychain.get(name),
    writeSecret: (name, value) => keychain.set(name, value),
    deleteSecret: (name) => keychain.delete(name),
    getDatabaseKey: () => keychain.databaseKey(),
    // Only a kiosk prints, and only the page that asked.
    printTicket: (sender) => printTicketSilently(sender, config.app === 'kiosk' ? config.ticketPrinter : null, log),
  };
}

export function routeMedisyncApi(router: IpcRouter, handlers: Handlers): void {
  for (const name of Object.keys(ipcChannels) as (keyof MedisyncApi)[]) {
    router.route(
      ipcChannels[name],
      medisyncApiArguments[name] as z.ZodType<unknown[]>,
      handlers[name] as (...args: unknown[]) => unknown,
    );
  }
}
