import { describe, expect, it } from 'vitest';
import { ipcChannels } from '../common/ipc.js';
import { createMedisyncApi } from './api.js';

describe('the preload API', () => {
  it('sends each function over its own channel with exactly its arguments', async () => {
    const sent: unknown[][] = [];
    const api = createMedisyncApi({ invoke: async (...args: unknown[]) => sent.push(args) } as never);
    await api.getConfig();
    await api.readSecret('staff-session');
    await api.writeSecret('device-enrollment', 'token');
    await api.deleteSecret('staff-session');
    await api.getDatabaseKey();
    await api.printTicket();
    expect(sent).toEqual([
      [ipcChannels.getConfig],
      [ipcChannels.readSecret, 'staff-session'],
      [ipcChannels.writeSecret, 'device-enrollment', 'token'],
      [ipcChannels.deleteSecret, 'staff-session'],
      [ipcChannels.getDatabaseKey],
      [ipcChannels.printTicket],
    ]);
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
  });
});
