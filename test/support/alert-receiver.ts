import { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A webhook receiver, Slack or Telegram on a real local port: it records what arrives and can be told to fail
 * the next requests with a status, or by dropping the connection.
 */
export class AlertReceiver extends LocalHttpServer {
  readonly received: ReceivedRequest[] = [];
  /** Answers for the next requests, in order, before it answers 200: a status, 'drop' to close the socket, 'hang' to never answer. */
  failures: Array<number | 'drop' | 'hang'> = [];
  attempts = 0;

  constructor() {
    super((request, response) => void this.handle(request, response));
  }

  /** Bodies parsed as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get bodies(): any[] {
    return this.received.map((request) => JSON.parse(request.body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
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
    this.received.push({ path: request.url ?? '', headers: request.headers, body });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }
}
