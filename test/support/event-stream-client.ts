import { IncomingHttpHeaders, IncomingMessage, request } from 'node:http';
import { TestVault } from './test-vault';
import { until } from './until';

export interface ReceivedEvent {
  id: string | null;
  event: string;
  /** `data`, parsed as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/**
 * A Server-Sent Events client as an EventSource reads a stream, on a connection of its own (node:http, no pool):
 * it keeps every event, comment and the raw text it reads, so a test can look for what must and must not have come.
 * `close` destroys the connection, as a client that goes away does.
 */
export class EventStreamClient {
  readonly events: ReceivedEvent[] = [];
  readonly comments: string[] = [];
  /** Every byte of the body, as text. */
  text = '';
  ended = false;
  private buffer = '';

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly response: IncomingMessage,
  ) {}

  /** Opens GET /v1/events as a client; `lastEventId` is sent as Last-Event-ID. A spawned vault is its URL and keys. */
  static open(vault: Pick<TestVault, 'url' | 'keys'>, as: string, options: { lastEventId?: string } = {}): Promise<EventStreamClient> {
    const url = new URL(vault.url);
    const headers: Record<string, string> = { authorization: `Bearer ${vault.keys[as]}` };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: url.hostname, port: url.port, path: '/v1/events', headers, agent: false }, (response) => {
        const client = new EventStreamClient(response.statusCode ?? 0, response.headers, response);
        response.setEncoding('utf8');
        response.on('data', (text: string) => client.take(text));
        response.on('close', () => (client.ended = true));
        response.on('error', () => (client.ended = true));
        resolve(client);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  of(type: string): ReceivedEvent[] {
    return this.events.filter((event) => event.event === type);
  }

  /** Waits for an event that matches, and returns it. */
  async next(match: (event: ReceivedEvent) => boolean, timeoutMs = 5000, what = 'an event'): Promise<ReceivedEvent> {
    await until(() => this.events.some(match), timeoutMs, what);
    return this.events.find(match)!;
  }

  async close(): Promise<void> {
    const { socket } = this.response;
    if (socket && !socket.destroyed) {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.destroy();
      await closed;
    }
    this.ended = true;
  }

  private take(text: string): void {
    this.text += text;
    this.buffer += text;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      this.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
    }
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
}
