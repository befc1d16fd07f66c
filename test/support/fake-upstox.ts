import { IncomingMessage, ServerResponse } from 'node:http';
import { UpstoxReply, upstoxError, UpstoxSandbox, UpstoxSandboxOptions } from '../../src/brokers/upstox/upstox-sandbox';
import { LocalHttpServer, readBody } from './local-http-server';

export interface UpstoxCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  query: Record<string, string>;
  form?: Record<string, string>;
  /** What the fake answered. */
  reply?: UpstoxReply | { status: number; text: string };
}

/** The broker's answer to a status forced on it, in its own shape. */
function forced(status: number): UpstoxReply {
  if (status >= 500) return upstoxError(status, 'UDAPI100500', 'Something went wrong... please contact us');
  if (status === 429) return upstoxError(status, 'UDAPI10005', 'Too Many Request Sent');
  if (status === 401) return upstoxError(status, 'UDAPI100050', 'Invalid token used to access API');
  return upstoxError(status, 'UDAPI100036', 'Invalid Input');
}

/**
 * Upstox on a real local port, answering as the sandbox does (its login page is the `approve`/`deny` methods:
 * what the person does there), with knobs for what the real one might do: answer slowly, fail, echo secrets.
 */
export class FakeUpstox extends LocalHttpServer {
  readonly calls: UpstoxCall[] = [];
  readonly sandbox: UpstoxSandbox;
  private delayMs = 0;
  private failStatus: number | null = null;
  private echo = false;
  /** Replaces the next answer, whatever it would have been. */
  nextReply: UpstoxReply | { status: number; text: string } | null = null;

  constructor(options: Partial<UpstoxSandboxOptions> = {}) {
    super((request, response) => void this.handle(request, response));
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

  delayNext(ms: number): void {
    this.delayMs = ms;
  }

  failNext(status: number): void {
    this.failStatus = status;
  }

  echoNext(): void {
    this.echo = true;
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

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://x');
    const raw = await readBody(request);
    const call: UpstoxCall = { method: request.method ?? '', path: url.pathname, headers: request.headers, query: Object.fromEntries(url.searchParams) };
    if (request.method === 'POST') call.form = Object.fromEntries(new URLSearchParams(raw));
    this.calls.push(call);
    const delay = this.delayMs;
    this.delayMs = 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (response.destroyed) return;
    const reply = this.nextReply ?? this.answer(call);
    this.nextReply = null;
    call.reply = 'text' in reply ? reply : this.echoed(reply, call);
    send(response, call.reply);
  }

  private answer(call: UpstoxCall): UpstoxReply {
    const status = this.failStatus;
    this.failStatus = null;
    if (status !== null) return forced(status);
    const authorization = call.headers.authorization;
    if (call.method === 'POST' && call.path === '/v2/login/authorization/token') {
      return this.sandbox.exchange(call.headers['content-type'], call.form ?? {});
    }
    if (call.method === 'GET' && call.path === '/v2/user/profile') return this.sandbox.profile(authorization);
    if (call.method === 'DELETE' && call.path === '/v2/logout') return this.sandbox.logout(authorization);
    return upstoxError(404, 'UDAPI10000', 'This request is not supported by Upstox API');
  }

  /** With echoNext, a refusal's message carries, as is, every secret the call sent. */
  private echoed(reply: UpstoxReply, call: UpstoxCall): UpstoxReply {
    if (!this.echo || reply.status < 400) return reply;
    this.echo = false;
    const carried = [call.form?.code, call.form?.client_secret, call.headers.authorization].filter((value) => value !== undefined);
    const body = reply.body as { errors: Array<{ message: string }> };
    const errors = body.errors.map((error) => ({ ...error, message: `${error.message}: ${carried.join(' ')}` }));
    return { ...reply, body: { ...body, errors } };
  }
}

function send(response: ServerResponse, reply: UpstoxReply | { status: number; text: string }): void {
  if ('text' in reply) {
    response.writeHead(reply.status, { 'content-type': 'text/html' });
    response.end(reply.text);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}
