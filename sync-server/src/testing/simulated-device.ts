import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CollectionName } from '@medisync/shared/domain';
import type { SyncState } from '@medisync/shared/sync';
import type { DeviceCommand, DeviceInit } from './device-process.js';
import { CuttableProxy } from './cuttable-proxy.js';

const DEVICE_PROCESS = fileURLToPath(new URL('./device-process.ts', import.meta.url));

/**
 * A device for integration tests: a child process with its own RxDB and
 * IndexedDB, talking to the server through its own proxy, so that taking it
 * offline makes the server truly unreachable for it alone.
 */
export class SimulatedDevice {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly deviceId: string,
    private readonly child: ChildProcess,
    readonly proxy: CuttableProxy,
  ) {
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) waiter?.resolve(m.result);
      else waiter?.reject(new Error(m.error));
    });
    child.on('exit', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`device ${deviceId} exited`));
      this.waiting.clear();
    });
  }

  static async start(options: {
    deviceId: string;
    serverPort: number;
    token: string;
    batchSize?: number;
    /** The device's role; a kiosk or display opens its projected collections only. Default "desk". */
    role?: DeviceInit['role'];
    tickets?: DeviceInit['tickets'];
    /** Start with the server unreachable, as a device that boots before the network is up. */
    offline?: boolean;
  }) {
    const proxy = await CuttableProxy.start(options.serverPort);
    if (options.offline) proxy.cut();
    const child = fork(DEVICE_PROCESS, [], {
      execArgv: ['--conditions=@medisync/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const device = new SimulatedDevice(options.deviceId, child, proxy);
    const init: DeviceInit = {
      deviceId: options.deviceId,
      serverUrl: `http://127.0.0.1:${proxy.port}`,
      token: options.token,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.role ? { role: options.role } : {}),
      ...(options.tickets ? { tickets: options.tickets } : {}),
    };
    await device.send({ init });
    return device;
  }

  create<T = Record<string, unknown>>(collection: CollectionName, fields: Record<string, unknown>) {
    return this.command<T>({ cmd: 'create', collection, fields });
  }
  change<T = Record<string, unknown>>(collection: CollectionName, id: string, patch: Record<string, unknown>) {
    return this.command<T>({ cmd: 'change', collection, id, patch });
  }
  transition<T = Record<string, unknown>>(collection: CollectionName, id: string, to: string) {
    return this.command<T>({ cmd: 'transition', collection, id, to });
  }
  /** Writes a record as given (merged with what the device holds), e.g. a kiosk's intake update. */
  save<T = Record<string, unknown>>(collection: CollectionName, record: Record<string, unknown>) {
    return this.command<T>({ cmd: 'save', collection, record });
  }
  get<T = Record<string, unknown>>(collection: CollectionName, id: string) {
    return this.command<T | null>({ cmd: 'get', collection, id });
  }
  /** Leases ticket blocks for the site's queues while online (offline: does nothing). */
  refillTickets(siteId: string) {
    return this.command<void>({ cmd: 'refillTickets', siteId });
  }
  /** The next ticket code, from a leased block or a device-scoped fallback; never waits for the network. */
  issueTicket(siteId: string, queue = 'reception') {
    return this.command<string>({ cmd: 'issueTicket', siteId, queue });
  }
  /** A provider's free slots for a visit type on a site-local date, from the replica alone (the booking screen's rule). */
  freeSlots(request: { siteId: string; providerId: string; date: string; visitType: string }) {
    return this.command<{ start: string; end: string }[]>({ cmd: 'freeSlots', ...request });
  }
  /** Every record on the device, per collection, as sorted canonical JSON. */
  dump() {
    return this.command<Record<CollectionName, string[]>>({ cmd: 'dump' });
  }
  state() {
    return this.command<SyncState>({ cmd: 'state' });
  }
  /** How many records of each pulled collection the device held the moment it said its first sync was complete. */
  heldWhenFirstSyncComplete() {
    return this.command<Partial<Record<CollectionName, number>>>({ cmd: 'heldWhenFirstSyncComplete' });
  }
  awaitInSync() {
    return this.command<void>({ cmd: 'awaitInSync' });
  }

  /** Makes the server unreachable for this device: open connections drop, new ones are refused. */
  goOffline() {
    this.proxy.cut();
  }
  goOnline() {
    this.proxy.heal();
  }

  async stop() {
    if (this.child.exitCode === null && this.child.connected) {
      await this.command({ cmd: 'close' }).catch(() => undefined);
      this.child.kill();
    }
    await this.proxy.close();
  }

  private command<T>(command: DeviceCommand): Promise<T> {
    return this.send({ command }) as Promise<T>;
  }

  private send(payload: { init?: DeviceInit; command?: DeviceCommand }): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A child that is going away fails the send here (EPIPE) instead of in an 'error' event nobody handles.
      this.child.send({ id, ...payload }, (error) => {
        if (error === null) return;
        this.waiting.delete(id);
        reject(error);
      });
    });
  }
}
