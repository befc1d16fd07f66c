import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** An HTTP server of a test's own on a free port of 127.0.0.1, each connection closed when it stops. */
export class LocalHttpServer {
  private readonly server: Server;

  constructor(handle: (request: IncomingMessage, response: ServerResponse) => void) {
    this.server = createServer(handle);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
