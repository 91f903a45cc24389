/**
 * The devices of the bench's load figures, in a process of their own (forked by
 * main.ts), so the server's event loop and memory are measured without the
 * load generator's. Each device holds a socket.io connection, pulls from its
 * checkpoint about every second and pushes a walk-in at its own site every
 * tenth request, each device in its own turn: devices do not all push in the
 * same second (which would measure a queue of hundreds of pushes, not a
 * clinic). The first seconds warm the server up (its connection pool fills,
 * its code is compiled) and are not counted.
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import { syncRequest, walkInEntry } from './records.js';

/** A device of the load, at one of the sites, which are given with some of their patients. */
export interface LoadDevice {
  token: string;
  deviceId: string;
  site: number;
}

export interface LoadOptions {
  url: string;
  sites: { siteId: string; patientIds: string[] }[];
  devices: LoadDevice[];
  /** The queue's last seq when the load starts: devices pull from there. */
  head: number;
  /** How long requests are measured, after `warmUpSeconds` that are not. */
  seconds: number;
  warmUpSeconds: number;
}

export interface LoadResult {
  sockets: number;
  /** Each request's time, pulls and pushes apart. */
  latencies: { pull: number[]; push: number[] };
  errors: number;
}

async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const sockets = (
    await Promise.allSettled(
      options.devices.map(
        (d) =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(options.url, {
              auth: { token: d.token },
              transports: ['websocket'],
              reconnection: false,
            });
            socket.once('connect', () => resolve(socket));
            socket.once('connect_error', reject);
          }),
      ),
    )
  ).flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const latencies: LoadResult['latencies'] = { pull: [], push: [] };
  let errors = 0;
  const measureFrom = performance.now() + options.warmUpSeconds * 1000;
  const end = measureFrom + options.seconds * 1000;
  // The server measures its own CPU over the same window.
  setTimeout(() => process.send!({ measuring: true }), options.warmUpSeconds * 1000);
  await Promise.all(
    options.devices.map(async ({ token, deviceId, site }, d) => {
      const { siteId, patientIds } = options.sites[site]!;
      let checkpoint: unknown = { phase: 'history', seq: options.head };
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        const kind = (i + d) % 10 === 9 ? 'push' : 'pull';
        try {
          if (kind === 'push') {
            const patientId = patientIds[(d * 31 + i) % patientIds.length]!;
            const ticket = `L-${d.toString(36).toUpperCase().padStart(3, '0')}-${String(i % 10_000).padStart(4, '0')}`;
            await syncRequest(options.url, token, '/sync/queueEntries/push', [
              walkInEntry(siteId, patientId, ticket, deviceId),
            ]);
          } else {
            const query = new URLSearchParams({ limit: '100', checkpoint: JSON.stringify(checkpoint) });
            const page = await syncRequest<{ checkpoint: unknown }>(
              options.url,
              token,
              `/sync/queueEntries/pull?${query}`,
            );
            checkpoint = page.checkpoint ?? checkpoint;
          }
          if (t >= measureFrom) latencies[kind].push(performance.now() - t);
        } catch {
          errors++;
        }
        await new Promise((r) => setTimeout(r, 1000 - Math.min(900, performance.now() - t)));
      }
    }),
  );
  for (const socket of sockets) socket.close();
  return { sockets: sockets.length, latencies, errors };
}

process.once('message', (options: LoadOptions) => {
  void runLoad(options).then((result) => process.send!(result, () => process.exit(0)));
});
