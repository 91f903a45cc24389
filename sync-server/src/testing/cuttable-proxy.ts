import net from 'node:net';

/**
 * A TCP proxy on loopback in front of the sync server. `cut()` drops every
 * connection and refuses new ones, as a pulled network cable would; `heal()`
 * lets traffic through again. It follows the server across restarts because it
 * dials the target port anew for every connection.
 */
export class CuttableProxy {
  private cutOff = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const accepting: { proxy?: CuttableProxy } = {};
    const server = net.createServer((client) => {
      if (accepting.proxy) accepting.proxy.accept(client);
      else client.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    accepting.proxy = new CuttableProxy(server, (server.address() as net.AddressInfo).port, targetPort);
    return accepting.proxy;
  }

  get isCut(): boolean {
    return this.cutOff;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }
}
