import { IncomingMessage } from 'node:http';
import { FyersReply, FyersSandbox, FyersSandboxOptions } from '../../src/brokers/fyers/fyers-sandbox';
import { FakeBrokerServer, FakeReply, parseJson } from './fake-broker-server';

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
 * Fyers on a real local port, answering as the Fyers sandbox does, with the broker contract's knobs
 * (test/support/fake-broker-server.ts): the person's side of the login page, a token ended, and a next call that is
 * slow, fails, or echoes what it was sent.
 */
export class FakeFyers extends FakeBrokerServer<RecordedFyersCall> {
  readonly sandbox: FyersSandbox;

  constructor(options: Partial<FyersSandboxOptions> = {}) {
    super();
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

  /** The codes sent to validate-authcode, in order. */
  get exchangedCodes(): unknown[] {
    return this.calls.filter((call) => call.path === '/api/v3/validate-authcode').map((call) => (call.json as { code?: unknown } | undefined)?.code);
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

  protected record(request: IncomingMessage, url: URL, raw: string): RecordedFyersCall {
    return {
      method: request.method ?? '',
      path: url.pathname,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      raw,
      json: parseJson(raw),
      query: Object.fromEntries(url.searchParams),
    };
  }

  protected answer(call: RecordedFyersCall): FyersReply {
    if (call.method === 'POST' && call.path === '/api/v3/validate-authcode') return this.sandbox.validateAuthCode(call.json);
    if (call.method === 'GET' && call.path === '/api/v3/profile') return this.sandbox.profile(call.authorization);
    if (call.method === 'POST' && call.path === '/api/v3/logout') return this.sandbox.logout(call.authorization);
    return { status: 404, body: { s: 'error', code: -404, message: 'Not found' } };
  }

  /** Fyers' generic "unexpected error", whatever the status. */
  protected failure(status: number): FyersReply {
    return { status, body: { s: 'error', code: -96, message: 'An unexpected error occurred. Please contact support.' } };
  }

  /** Fyers says "error" in its body, often with a 200. */
  protected override isRefusal(reply: FakeReply): boolean {
    return 'body' in reply && (reply.body as { s?: unknown } | null)?.s === 'error';
  }

  /** Quotes the auth code and the appIdHash, or the Authorization header. */
  protected quoting(reply: FakeReply, call: RecordedFyersCall): FakeReply {
    if (!('body' in reply)) return reply;
    const body = reply.body as { message?: unknown };
    const sent = call.json as { code?: unknown; appIdHash?: unknown } | undefined;
    const quoted = [sent?.code, sent?.appIdHash, call.authorization].filter((value) => typeof value === 'string');
    return { status: reply.status, body: { ...body, message: `${String(body.message)}: ${quoted.join(' ')}` } };
  }
}
