import net from 'node:net';

/**
 * A TCP proxy on loopback in front of the sync server. `cut()` drops every
 * connection and refuses new ones, as a pulled network cable would; `heal()`
 * lets traffic through again. It follows the server across restarts because it
 * dials the target port anew for every connection.
 */
export class CuttableProxy {
  private cutOff = false;
  private hanging = false;
  private readonly sockets = new Set<net.Socket>();
  /** Connections that went silent in `hang()`: open, never closed by the proxy until `close()`. */
  private readonly hung = new Set<net.Socket>();

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

  /**
   * Every connection goes silent without closing, as behind a dead NAT entry
   * or a switch dropping packets: no byte moves either way and neither end is
   * told. New connections are accepted and go silent too. `heal()` lets new
   * connections through again; the silent ones stay silent, as they would.
   */
  hang(): void {
    this.hanging = true;
    for (const socket of this.sockets) this.silence(socket);
    this.sockets.clear();
  }

  heal(): void {
    this.cutOff = false;
    this.hanging = false;
  }

  async close(): Promise<void> {
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private silence(socket: net.Socket): void {
    socket.unpipe();
    socket.pause();
    socket.removeAllListeners('close');
    socket.on('error', () => undefined);
    this.hung.add(socket);
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    if (this.hanging) {
      this.silence(client);
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
