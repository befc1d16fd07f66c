import type { ServerResponse } from 'node:http';
import { mayRead, ServiceClient } from '../access/service-client';
import { FeedEvent } from './feed-event';

/** Answered as is, Fastify's hooks being bypassed: the API's headers, and none that would let a proxy hold it back. */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // nginx would otherwise buffer the stream and hand events over late, in lumps.
  'x-accel-buffering': 'no',
  // A stream that ends (shutdown, a revoked key) takes its connection with it: nothing waits on an idle socket.
  connection: 'close',
};
/** How long an EventSource waits before it reconnects, with Last-Event-ID. */
const RETRY_MS = 3_000;
/** A client that reads slower than events come is cut off once this much waits for it, rather than kept in memory. */
const MOST_UNSENT_BYTES = 1024 * 1024;

const frames = new WeakMap<FeedEvent, string>();

/** `id`, `event` and one `data` line (JSON has no line breaks), made once per event, whatever the number of streams. */
function frameOf(event: FeedEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.body)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/**
 * One open `text/event-stream` answer. Every event is checked against the key that opened it as that key stands
 * now: a key scoped to one account hears nothing of another. A key revoked meanwhile, or narrowed away from an
 * account it could read, cuts the stream (`recheck`, on every change of the service clients and at each heartbeat):
 * what was queued for it under its old standing is dropped, not delivered, and a client still allowed something
 * reconnects (with Last-Event-ID) to hear only what it may read now.
 */
export class EventStream {
  private ended = false;
  /** The client the key was last found to name: what a narrowing is measured against. */
  private client: ServiceClient | null;

  constructor(
    private readonly raw: ServerResponse,
    /** The client that holds the stream's key now, or null once the key is no longer valid. */
    private readonly holder: () => ServiceClient | null,
  ) {
    this.client = holder();
  }

  open(requestId: string): void {
    if (this.recheck() === null) return;
    this.raw.writeHead(200, { ...STREAM_HEADERS, 'x-request-id': requestId });
    this.write(`retry: ${RETRY_MS}\n\n`);
  }

  /**
   * Tells the client that events after its Last-Event-ID may be lost: it should read again what it needs, and
   * resume from `newest` (the newest event kept; none: from now on), not from its old id, which would be reset again.
   */
  reset(newest: string | null): void {
    this.write(`id:${newest === null ? '' : ` ${newest}`}\nevent: reset\ndata: {}\n\n`);
  }

  send(event: FeedEvent): void {
    const client = this.recheck();
    if (client !== null && mayRead(client, event.body.clientId)) this.write(frameOf(event));
  }

  ping(): void {
    if (this.recheck() !== null) this.write(': ping\n\n');
  }

  /**
   * The client the key names now, if the stream may go on; null, and the stream cut, once the key names none, or one
   * that may no longer read an account the stream could carry until now. A wider or unchanged scope goes on.
   */
  recheck(): ServiceClient | null {
    if (this.ended) return null;
    const now = this.holder();
    const before = this.client;
    // The registry answers a key with the same client until the clients change: only a new one can be narrower.
    const narrowed = now !== null && before !== null && now !== before && before.accounts.some((account) => !mayRead(now, account));
    if (now === null || narrowed) {
      this.cut();
      return null;
    }
    this.client = now;
    return now;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.raw.end();
  }

  /**
   * Ends the stream without sending what still waits in its buffers (up to MOST_UNSENT_BYTES): it was chosen by what
   * the key may no longer do. What the kernel already took for the socket cannot be called back.
   */
  private cut(): void {
    if (this.ended) return;
    this.ended = true;
    this.raw.destroy();
  }

  private write(text: string): void {
    if (this.ended || this.raw.destroyed) return;
    if (this.raw.writableLength > MOST_UNSENT_BYTES) return this.end();
    this.raw.write(text);
  }
}
