import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A webhook receiver, Slack or Telegram on a real local port: it records what arrives and can be told to fail
 * the next requests with a status, or by dropping the connection.
 */
export class AlertReceiver {
  readonly received: ReceivedRequest[] = [];
  /** Answers for the next requests, in order, before it answers 200: a status, 'drop' to close the socket, 'hang' to never answer. */
  failures: Array<number | 'drop' | 'hang'> = [];
  attempts = 0;
  private server: Server | null = null;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.attempts += 1;
        const failure = this.failures.shift();
        if (failure === 'hang') return;
        if (failure === 'drop') {
          request.socket.destroy();
          return;
        }
        if (failure !== undefined) {
          response.writeHead(failure, { 'content-type': 'text/plain' }).end('no');
          return;
        }
        this.received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Bodies parsed as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get bodies(): any[] {
    return this.received.map((request) => JSON.parse(request.body));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
