import { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

/** An answer of a fake broker: a status with a JSON body, or raw text (an HTML error page, garbage). */
export type FakeReply<Body = unknown> = { status: number; body: Body } | { status: number; text: string; contentType?: string };

/**
 * A broker on a real local port, each answering as its sandbox does, with the moods the broker contract
 * (test/support/broker-contract.ts) turns on every broker alike, each for the next call only: answer slowly
 * (`delayNext`), fail in the broker's own error shape (`failNext`), answer anything at all (`replyNext`), or quote in
 * a refusal every secret the call carried (`echoNext`). A subclass says how a call is recorded, answered, failed
 * and quoted; the order of the moods and the answering are the same for all.
 */
export abstract class FakeBrokerServer<Call, Body = unknown> extends LocalHttpServer {
  readonly calls: Call[] = [];
  private nextDelayMs = 0;
  private nextFailure: number | null = null;
  private nextReply: FakeReply<Body> | null = null;
  private echoPending = false;

  constructor() {
    super((request, response) => void this.handle(request, response));
  }

  /** The next call is answered after `ms`, or dropped if the caller gives up first. */
  delayNext(ms: number): void {
    this.nextDelayMs = ms;
  }

  /** The next call is answered with `status` and the error body the broker writes for it there. */
  failNext(status: number): void {
    this.nextFailure = status;
  }

  /** The next call gets this reply, whatever it asked. */
  replyNext(reply: FakeReply<Body>): void {
    this.nextReply = reply;
  }

  /** The next refusal quotes, as they were sent, the secrets its call carried. */
  echoNext(): void {
    this.echoPending = true;
  }

  /** The call as a test reads it back, from the request and its whole body. */
  protected abstract record(request: IncomingMessage, url: URL, body: string): Call;
  /** What the broker answers the call, as its sandbox does. */
  protected abstract answer(call: Call): FakeReply<Body> | Promise<FakeReply<Body>>;
  /** The broker's own error body for a forced failure of the call. */
  protected abstract failure(status: number, call: Call): FakeReply<Body>;
  /** The refusal, its message quoting every secret the call carried, as a careless broker might. */
  protected abstract quoting(reply: FakeReply<Body>, call: Call): FakeReply<Body>;

  /** Whether an answer refuses the call; a broker that says "error" with a 200 counts. */
  protected isRefusal(reply: FakeReply<Body>): boolean {
    return reply.status >= 400;
  }

  /** Seen by a subclass that keeps what it answered beside the call. */
  protected answered(_call: Call, _reply: FakeReply<Body>): void {}

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const call = this.record(request, new URL(request.url ?? '/', 'http://x'), await readBody(request));
    this.calls.push(call);
    if (!(await this.delayed(response))) return;
    let reply = this.forced(call) ?? (await this.answer(call));
    if (this.echoPending && this.isRefusal(reply)) {
      this.echoPending = false;
      reply = this.quoting(reply, call);
    }
    this.answered(call, reply);
    sendReply(response, reply);
  }

  private forced(call: Call): FakeReply<Body> | null {
    const reply = this.nextReply;
    const failure = this.nextFailure;
    this.nextReply = null;
    this.nextFailure = null;
    return reply ?? (failure === null ? null : this.failure(failure, call));
  }

  /**
   * Waits out a delayNext, ending early when the caller hangs up (so that no timer outlives the test); false when
   * there is no one left to answer.
   */
  private async delayed(response: ServerResponse): Promise<boolean> {
    const ms = this.nextDelayMs;
    this.nextDelayMs = 0;
    if (ms > 0 && !response.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        response.once('close', done);
        function done() {
          clearTimeout(timer);
          response.off('close', done);
          resolve();
        }
      });
    }
    return !response.destroyed;
  }
}

export function sendReply(response: ServerResponse, reply: FakeReply): void {
  if ('text' in reply) {
    response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
    response.end(reply.text);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}

/** A JSON body, or undefined when there is none or it is not JSON. */
export function parseJson(raw: string): unknown {
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}
