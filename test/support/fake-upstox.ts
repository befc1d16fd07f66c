import { IncomingMessage } from 'node:http';
import { UpstoxReply, upstoxError, UpstoxSandbox, UpstoxSandboxOptions } from '../../src/brokers/upstox/upstox-sandbox';
import { FakeBrokerServer, FakeReply } from './fake-broker-server';

export interface UpstoxCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  query: Record<string, string>;
  form?: Record<string, string>;
  /** What the fake answered. */
  reply?: FakeReply;
}

/**
 * Upstox on a real local port, answering as the sandbox does (its login page is the `approve`/`deny` methods:
 * what the person does there), with the contract's knobs (test/support/fake-broker-server.ts).
 */
export class FakeUpstox extends FakeBrokerServer<UpstoxCall> {
  readonly sandbox: UpstoxSandbox;

  constructor(options: Partial<UpstoxSandboxOptions> = {}) {
    super();
    this.sandbox = new UpstoxSandbox({
      apiKey: '615b1297-d443-3b39-ba19-1927fbcdddc7',
      apiSecret: 'upstox-secret+with/odd=chars&more',
      redirectUrl: 'http://127.0.0.1:5000/upstox/callback',
      accounts: ['AB1234', '7BAB12'],
      now: Date.now,
      ...options,
    });
  }

  get options(): UpstoxSandboxOptions {
    return this.sandbox.options;
  }

  /** The variables that turn Upstox on and point the vault here. */
  get variables(): Record<string, string> {
    return {
      UPSTOX_API_KEY: this.options.apiKey,
      UPSTOX_API_SECRET: this.options.apiSecret,
      UPSTOX_REDIRECT_URL: this.options.redirectUrl,
      UPSTOX_BASE_URL: this.url,
    };
  }

  /** The person logs in at the login page `loginUrl` as `account` and approves: where the browser goes back to. */
  approve(loginUrl: URL, account: string): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), account));
  }

  deny(loginUrl: URL): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), null));
  }

  kill(accessToken: string): void {
    this.sandbox.revoke(accessToken);
  }

  callsTo(path: string): UpstoxCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  /** The page is Upstox's: the browser reaches it at the base URL the adapter was given, with the query it built. */
  private openLoginPage(loginUrl: URL): string | undefined {
    const query = Object.fromEntries(loginUrl.searchParams);
    this.calls.push({ method: 'GET', path: loginUrl.pathname, headers: {}, query });
    if (`${loginUrl.origin}${loginUrl.pathname}` !== `${this.url}/v2/login/authorization/dialog`) {
      throw new Error(`the browser was sent to ${loginUrl.origin}${loginUrl.pathname}, not to Upstox's login page`);
    }
    const problem = this.sandbox.authorizeProblem(query);
    if (problem) throw new Error(`Upstox refused the login page: ${JSON.stringify(problem.body)}`);
    return query.state;
  }

  protected record(request: IncomingMessage, url: URL, body: string): UpstoxCall {
    const call: UpstoxCall = { method: request.method ?? '', path: url.pathname, headers: request.headers, query: Object.fromEntries(url.searchParams) };
    if (request.method === 'POST') call.form = Object.fromEntries(new URLSearchParams(body));
    return call;
  }

  protected answer(call: UpstoxCall): UpstoxReply {
    const authorization = call.headers.authorization;
    if (call.method === 'POST' && call.path === '/v2/login/authorization/token') {
      return this.sandbox.exchange(call.headers['content-type'], call.form ?? {});
    }
    if (call.method === 'GET' && call.path === '/v2/user/profile') return this.sandbox.profile(authorization);
    if (call.method === 'DELETE' && call.path === '/v2/logout') return this.sandbox.logout(authorization);
    return upstoxError(404, 'UDAPI10000', 'This request is not supported by Upstox API');
  }

  /** The broker's answer to a status forced on it, in its own shape. */
  protected failure(status: number): UpstoxReply {
    if (status >= 500) return upstoxError(status, 'UDAPI100500', 'Something went wrong... please contact us');
    if (status === 429) return upstoxError(status, 'UDAPI10005', 'Too Many Request Sent');
    if (status === 401) return upstoxError(status, 'UDAPI100050', 'Invalid token used to access API');
    return upstoxError(status, 'UDAPI100036', 'Invalid Input');
  }

  protected quoting(reply: FakeReply, call: UpstoxCall): FakeReply {
    const body = 'body' in reply ? (reply.body as { errors?: Array<{ message: string }> }) : null;
    if (!body?.errors) return reply;
    const carried = [call.form?.code, call.form?.client_secret, call.headers.authorization].filter((value) => value !== undefined);
    const errors = body.errors.map((error) => ({ ...error, message: `${error.message}: ${carried.join(' ')}` }));
    return { ...reply, body: { ...body, errors } };
  }

  protected override answered(call: UpstoxCall, reply: FakeReply): void {
    call.reply = reply;
  }
}
