import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';

/** A certificate and its key, PEM: the server then speaks https. */
export interface ServerCertificate {
  cert: string | Buffer;
  key: string | Buffer;
}

/** An HTTP(S) server of a test's own on a free port of 127.0.0.1, each connection closed when it stops. */
export class LocalHttpServer {
  private readonly server: Server;
  private readonly scheme: 'http' | 'https';

  constructor(handle: (request: IncomingMessage, response: ServerResponse) => void, certificate?: ServerCertificate) {
    this.server = certificate ? createTlsServer(certificate, handle) : createServer(handle);
    this.scheme = certificate ? 'https' : 'http';
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A request's whole body, as text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
