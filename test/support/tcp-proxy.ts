import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * The one address a service is given for the vault, as compose's proxy is: each connection it takes goes to the
 * replica it points at then. `pointAt` moves new connections to another replica (as a balancer does when one stops
 * answering); connections already made stay where they were until either side closes them. A connection made while
 * the replica it points at is down is closed at once, as a refused one.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections made through it, each to the port it went to. */
  readonly connections: number[] = [];

  constructor(private port: number) {
    this.server = createServer((client) => this.relay(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  pointAt(port: number): void {
    this.port = port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.port, '127.0.0.1');
    this.connections.push(this.port);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      // Either side failing ends both, as a refused or reset connection does for the client.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
