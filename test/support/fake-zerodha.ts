import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { KiteReply, ZerodhaSandbox, ZerodhaSandboxOptions } from '../../src/brokers/zerodha/zerodha-sandbox';
import { BrokerContractSubject } from './broker-contract';
import { LocalHttpServer, readBody } from './local-http-server';

/** A reply forced on the next call: Kite's JSON, or raw text (a proxy's HTML page). */
export type KiteForcedReply = KiteReply | { status: number; text: string; contentType?: string };

export interface KiteCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form?: Record<string, string>;
}

/**
 * Kite Connect on a real local port (login page and API on one origin), answering as the Zerodha sandbox does,
 * with the contract's knobs: a slow answer, a failure in Kite's error shape, a refusal that quotes what the call
 * carried, and any reply forced on the next call.
 */
export class FakeZerodha extends LocalHttpServer {
  readonly calls: KiteCall[] = [];
  readonly sandbox: ZerodhaSandbox;
  private delayMs = 0;
  private forced: KiteForcedReply | null = null;
  private echo = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: Partial<ZerodhaSandboxOptions> = {}) {
    super((request, response) => void this.handle(request, response));
    this.sandbox = new ZerodhaSandbox({
      apiKey: 'kitekey0123abcd',
      apiSecret: 'kite-secret+with:odd%chars/0123456789',
      redirectUrl: 'http://127.0.0.1:5000/zerodha/callback',
      accounts: ['AB1234', 'CD5678'],
      ...options,
    });
  }

  get options(): ZerodhaSandboxOptions {
    return this.sandbox.options;
  }

  /** The variables that turn Zerodha on beside the default broker and point the vault here. */
  get variables(): Record<string, string> {
    return {
      ZERODHA_API_KEY: this.options.apiKey,
      ZERODHA_API_SECRET: this.options.apiSecret,
      ZERODHA_REDIRECT_URL: this.options.redirectUrl,
      ZERODHA_LOGIN_URL: this.url,
      ZERODHA_API_URL: this.url,
    };
  }

  /** The same with Zerodha the default broker, by OpenAlgo's names (REDIRECT_URL names its callback). */
  get defaultVariables(): Record<string, string> {
    return {
      BROKER_API_KEY: this.options.apiKey,
      BROKER_API_SECRET: this.options.apiSecret,
      REDIRECT_URL: this.options.redirectUrl,
      ZERODHA_LOGIN_URL: this.url,
      ZERODHA_API_URL: this.url,
    };
  }

  /** The person at Kite's login page `loginUrl` logs in as `account` (or cancels, with null): where they are sent. */
  login(loginUrl: URL, account: string | null): URL {
    if (loginUrl.pathname !== '/connect/login') throw new Error(`Kite has no login page at ${loginUrl.pathname}`);
    return new URL(this.sandbox.redirectAfterLogin(Object.fromEntries(loginUrl.searchParams), account));
  }

  /** A live access token Kite accepts for `account`: a request token issued and exchanged in-process, as a login would. */
  accessTokenFor(account: string): string {
    const { apiKey, apiSecret } = this.options;
    const requestToken = this.sandbox.issueRequestToken(account);
    // Kite's checksum, written out here apart from the adapter's own.
    const checksum = createHash('sha256').update(apiKey + requestToken + apiSecret).digest('hex');
    const reply = this.sandbox.exchange({ api_key: apiKey, request_token: requestToken, checksum });
    const token = (reply.body as { data?: { access_token?: unknown } }).data?.access_token;
    if (typeof token !== 'string') throw new Error(`Kite's sandbox did not exchange the request token (HTTP ${reply.status})`);
    return token;
  }

  delayNext(ms: number): void {
    this.delayMs = ms;
  }

  /** The next call gets this reply, whatever it asked. */
  replyNext(reply: KiteForcedReply): void {
    this.forced = reply;
  }

  failNext(status: number): void {
    const errorType = status >= 500 ? 'NetworkException' : status === 403 ? 'TokenException' : 'InputException';
    this.forced = { status, body: { status: 'error', message: `Forced failure ${status}`, data: null, error_type: errorType } };
  }

  echoNext(): void {
    this.echo = true;
  }

  /** The contract's view of this fake, for an adapter pointed at it. */
  subject(adapter: BrokerContractSubject['adapter'], timeoutMs: number): BrokerContractSubject {
    return {
      adapter,
      timeoutMs,
      redirectUrl: this.options.redirectUrl,
      secrets: [this.options.apiSecret],
      approve: (loginUrl, account) => this.login(loginUrl, account),
      deny: (loginUrl) => this.login(loginUrl, null),
      kill: (accessToken) => this.sandbox.end(accessToken),
      delayNext: (ms) => this.delayNext(ms),
      failNext: (status) => this.failNext(status),
      echoNext: () => this.echoNext(),
    };
  }

  override async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await super.stop();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const raw = await readBody(request);
    const form = raw === '' ? undefined : Object.fromEntries(new URLSearchParams(raw));
    this.calls.push({ method, path, headers: request.headers, form });
    if (this.delayMs > 0) {
      const ms = this.delayMs;
      this.delayMs = 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, ms);
        this.timers.add(timer);
      });
      if (response.destroyed) return;
    }
    const forced = this.forced;
    this.forced = null;
    let reply: KiteForcedReply = forced ?? this.answer(method, path, request.headers.authorization, form ?? {});
    if (this.echo && reply.status >= 400 && 'body' in reply) {
      this.echo = false;
      reply = quoting(reply, [...Object.values(form ?? {}), request.headers.authorization ?? '']);
    }
    send(response, reply);
  }

  private answer(method: string, path: string, authorization: string | undefined, form: Record<string, string>): KiteReply {
    if (method === 'POST' && path === '/session/token') return this.sandbox.exchange(form);
    if (method === 'DELETE' && path === '/session/token') return this.sandbox.logout(form);
    if (method === 'GET' && path === '/user/profile') return this.sandbox.profile(authorization);
    return { status: 404, body: { status: 'error', message: 'Route not found', data: null, error_type: 'GeneralException' } };
  }
}

/** The refusal, its message quoting everything the call carried, as a careless broker might. */
function quoting(reply: KiteReply, carried: string[]): KiteReply {
  const body = reply.body as Record<string, unknown>;
  return { ...reply, body: { ...body, message: `${String(body.message)} (you sent: ${carried.filter(Boolean).join(' ')})` } };
}

function send(response: ServerResponse, reply: KiteForcedReply): void {
  if ('text' in reply) {
    response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
    response.end(reply.text);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}
