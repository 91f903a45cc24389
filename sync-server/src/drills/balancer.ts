import net from 'node:net';

/**
 * A TCP load balancer on loopback in front of several server instances, as a
 * clinic's would be: each new connection goes to the first instance that
 * accepts it, so when one dies, new connections (a device's retry, its
 * socket.io reconnect) reach the next. Connections to the dead one are cut
 * with it.
 */
export class Balancer {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly targets: () => readonly number[],
  ) {}

  static async start(targets: () => readonly number[]): Promise<Balancer> {
    const holder: { balancer?: Balancer } = {};
    const server = net.createServer((client) => holder.balancer?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.balancer = new Balancer(server, (server.address() as net.AddressInfo).port, targets);
    return holder.balancer;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.pause();
    this.track(client);
    const tryTarget = (index: number) => {
      const port = this.targets()[index];
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      // Refused (nobody listens there any more): the next instance.
      upstream.once('error', () => {
        if (!connected) tryTarget(index + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        this.track(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryTarget(0);
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
