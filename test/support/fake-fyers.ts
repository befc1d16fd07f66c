import { IncomingMessage, ServerResponse } from 'node:http';
import { FyersReply, FyersSandbox, FyersSandboxOptions } from '../../src/brokers/fyers/fyers-sandbox';
import { LocalHttpServer, readBody } from './local-http-server';

/** A reply forced on the next call: a status with a JSON body, or raw text (an HTML error page, garbage). */
export type ForcedFyersReply = FyersReply | { status: number; text: string; contentType?: string };

export interface RecordedFyersCall {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  /** The body as sent, and parsed when it was JSON. */
  raw?: string;
  json?: unknown;
  query?: Record<string, string>;
}

/**
 * Fyers on a real local port, answering as the Fyers sandbox does, with the broker contract's knobs: the person's
 * side of the login page, a token ended, and a next call that is slow, fails, or echoes what it was sent.
 */
export class FakeFyers extends LocalHttpServer {
  readonly calls: RecordedFyersCall[] = [];
  readonly sandbox: FyersSandbox;
  private nextDelayMs = 0;
  private nextReply: ForcedFyersReply | null = null;
  private echoing = false;
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(options: Partial<FyersSandboxOptions> = {}) {
    super((request, response) => void this.handle(request, response));
    this.sandbox = new FyersSandbox({
      appId: 'TESTAPP0X1-100',
      appSecret: 'T3ST+secret/with:odd%chars',
      redirectUrl: 'http://127.0.0.1:5000/fyers/callback',
      accounts: ['AB1234', 'XY01234'],
      ...options,
    });
  }

  get options(): FyersSandboxOptions {
    return this.sandbox.options;
  }

  /** The variables that turn Fyers on and point the vault here. */
  get variables(): Record<string, string> {
    return {
      FYERS_API_KEY: this.options.appId,
      FYERS_API_SECRET: this.options.appSecret,
      FYERS_REDIRECT_URL: this.options.redirectUrl,
      FYERS_BASE_URL: this.url,
    };
  }

  /** The person logs in as `account` at the login page the adapter sent the browser to: the URL Fyers sends it back to. */
  approve(loginUrl: URL, account: string): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), account));
  }

  /** The person cancels at the login page. */
  deny(loginUrl: URL): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), null));
  }

  kill(accessToken: string): void {
    this.sandbox.end(accessToken);
  }

  delayNext(ms: number): void {
    this.nextDelayMs = ms;
  }

  /** The next call answers with this status and Fyers' error body (its generic "unexpected error"), or `reply`. */
  failNext(status: number, reply?: ForcedFyersReply): void {
    this.nextReply = reply ?? { status, body: { s: 'error', code: -96, message: 'An unexpected error occurred. Please contact support.' } };
  }

  /** The next refusal quotes what the call carried: the auth code and the appIdHash, or the Authorization header. */
  echoNext(): void {
    this.echoing = true;
  }

  /** The codes sent to validate-authcode, in order. */
  get exchangedCodes(): unknown[] {
    return this.calls.filter((call) => call.path === '/api/v3/validate-authcode').map((call) => (call.json as { code?: unknown } | undefined)?.code);
  }

  override async stop(): Promise<void> {
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    await super.stop();
  }

  /** What Fyers' page does with the browser: refuses a login it cannot show, else hands back the state. */
  private openLoginPage(loginUrl: URL): string {
    const query = Object.fromEntries(loginUrl.searchParams);
    this.calls.push({ method: 'GET', path: loginUrl.pathname, query });
    if (loginUrl.origin !== this.url || loginUrl.pathname !== '/api/v3/generate-authcode') {
      throw new Error(`the login page is not Fyers' generate-authcode: ${loginUrl.origin}${loginUrl.pathname}`);
    }
    const problem = this.sandbox.authorizeProblem(query);
    if (problem) throw new Error(`Fyers refused the login page: ${problem}`);
    return query.state;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://x');
    const raw = await readBody(request);
    const call: RecordedFyersCall = {
      method: request.method ?? '',
      path: url.pathname,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      raw,
      json: parseJson(raw),
      query: Object.fromEntries(url.searchParams),
    };
    this.calls.push(call);
    const delay = this.nextDelayMs;
    this.nextDelayMs = 0;
    if (delay > 0) await this.wait(delay);
    if (response.destroyed) return;
    const forced = this.nextReply;
    this.nextReply = null;
    send(response, forced ?? this.echoed(call, this.answer(call)));
  }

  private answer(call: RecordedFyersCall): FyersReply {
    if (call.method === 'POST' && call.path === '/api/v3/validate-authcode') return this.sandbox.validateAuthCode(call.json);
    if (call.method === 'GET' && call.path === '/api/v3/profile') return this.sandbox.profile(call.authorization);
    if (call.method === 'POST' && call.path === '/api/v3/logout') return this.sandbox.logout(call.authorization);
    return { status: 404, body: { s: 'error', code: -404, message: 'Not found' } };
  }

  /** A refusal that, when echoing, quotes every secret the call carried, as a careless broker might. */
  private echoed(call: RecordedFyersCall, reply: FyersReply): FyersReply {
    const body = reply.body as { s?: unknown; message?: unknown };
    if (!this.echoing || body?.s !== 'error') return reply;
    this.echoing = false;
    const sent = call.json as { code?: unknown; appIdHash?: unknown } | undefined;
    const quoted = [sent?.code, sent?.appIdHash, call.authorization].filter((value) => typeof value === 'string');
    return { status: reply.status, body: { ...body, message: `${String(body.message)}: ${quoted.join(' ')}` } };
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.add(timer);
    });
  }
}

function parseJson(raw: string): unknown {
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, reply: ForcedFyersReply): void {
  if ('text' in reply) {
    response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
    response.end(reply.text);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}
