import { createHash } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { KiteReply, ZerodhaSandbox, ZerodhaSandboxOptions } from '../../src/brokers/zerodha/zerodha-sandbox';
import { FakeBrokerServer, FakeReply } from './fake-broker-server';
import { KeyedVault } from './keyed-fetch';

export interface KiteCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form?: Record<string, string>;
}

/**
 * Kite Connect on a real local port (login page and API on one origin), answering as the Zerodha sandbox does,
 * with the contract's knobs (test/support/fake-broker-server.ts).
 */
export class FakeZerodha extends FakeBrokerServer<KiteCall> {
  readonly sandbox: ZerodhaSandbox;

  constructor(options: Partial<ZerodhaSandboxOptions> = {}) {
    super();
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

  /** The variables that turn Zerodha on in a vault and point it at this fake. */
  get variables(): Record<string, string> {
    return {
      ZERODHA_API_KEY: this.options.apiKey,
      ZERODHA_API_SECRET: this.options.apiSecret,
      ZERODHA_REDIRECT_URL: this.options.redirectUrl,
      ZERODHA_LOGIN_URL: this.url,
      ZERODHA_API_URL: this.url,
    };
  }

  /** A person's whole Kite login at `vault`, as their browser makes it: the callback's page, whatever it answers. */
  async loginAt(vault: KeyedVault, account: string): Promise<Response> {
    const begun = await vault.fetch('/zerodha/login');
    if (begun.status !== 302) throw new Error(`/zerodha/login answered ${begun.status}`);
    const cookie = (begun.headers.get('set-cookie') ?? '').split(';')[0];
    const back = this.login(new URL(begun.headers.get('location') ?? ''), account);
    return vault.fetch(`${back.pathname}${back.search}`, { headers: { cookie } });
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

  /** The person logs in as `account` at Kite's login page and approves. */
  approve(loginUrl: URL, account: string): URL {
    return this.login(loginUrl, account);
  }

  /** The person cancels at Kite's login page. */
  deny(loginUrl: URL): URL {
    return this.login(loginUrl, null);
  }

  /** Kite ends the token (a logout, or a login elsewhere). */
  kill(accessToken: string): void {
    this.sandbox.end(accessToken);
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

  protected record(request: IncomingMessage, url: URL, body: string): KiteCall {
    const form = body === '' ? undefined : Object.fromEntries(new URLSearchParams(body));
    return { method: request.method ?? 'GET', path: url.pathname, headers: request.headers, form };
  }

  protected answer({ method, path, headers, form = {} }: KiteCall): KiteReply {
    if (method === 'POST' && path === '/session/token') return this.sandbox.exchange(form);
    if (method === 'DELETE' && path === '/session/token') return this.sandbox.logout(form);
    if (method === 'GET' && path === '/user/profile') return this.sandbox.profile(headers.authorization);
    return { status: 404, body: { status: 'error', message: 'Route not found', data: null, error_type: 'GeneralException' } };
  }

  protected failure(status: number): KiteReply {
    const errorType = status >= 500 ? 'NetworkException' : status === 403 ? 'TokenException' : 'InputException';
    return { status, body: { status: 'error', message: `Forced failure ${status}`, data: null, error_type: errorType } };
  }

  protected quoting(reply: FakeReply, call: KiteCall): FakeReply {
    if (!('body' in reply)) return reply;
    const carried = [...Object.values(call.form ?? {}), call.headers.authorization ?? ''].filter(Boolean);
    const body = reply.body as Record<string, unknown>;
    return { ...reply, body: { ...body, message: `${String(body.message)} (you sent: ${carried.join(' ')})` } };
  }
}
