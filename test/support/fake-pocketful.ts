import { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerReply, SandboxBroker, SandboxBrokerOptions } from '../../src/sandbox/sandbox-broker';
import { LocalHttpServer, readBody } from './local-http-server';

/** A reply forced on the next calls: a status with a JSON body, or raw text (an HTML error page, garbage). */
export type ForcedReply = BrokerReply | { status: number; text: string; contentType?: string };

export interface RecordedCall {
  path: string;
  authorization?: string;
  contentType?: string;
  form?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Pocketful on a real local port, answering as the sandbox broker does, with knobs for what the real one might
 * do: answer slowly, answer with an error in any of its shapes, or with something that is not JSON at all. It also
 * plays the person at Pocketful's login page and the broker's moods as the broker contract drives them
 * (test/support/broker-contract.ts): approve, deny, kill, delayNext, failNext, echoNext.
 */
export class FakePocketful extends LocalHttpServer {
  readonly calls: RecordedCall[] = [];
  /** Milliseconds to wait before answering /oauth2/token. */
  tokenDelayMs = 0;
  tokenReply: ForcedReply | null = null;
  tradingInfoReply: ForcedReply | null = null;

  readonly broker: SandboxBroker;

  /** One-shot knobs: each applies to the next call to either endpoint (the echo, to the next refusal). */
  private nextDelayMs = 0;
  private nextFailure: number | null = null;
  private echoPending = false;

  constructor(options: Partial<SandboxBrokerOptions> = {}) {
    super((request, response) => void this.handle(request, response));
    this.broker = new SandboxBroker({
      appId: 'test-app-id',
      appSecret: 'test-app-secret+with:odd%chars',
      redirectUrl: 'http://127.0.0.1:5000/pocketful/callback',
      accounts: ['YA0002', 'YA0003'],
      ...options,
    });
  }

  get options(): SandboxBrokerOptions {
    return this.broker.options;
  }

  /** The variables that point a vault at this fake, as an operator's own point it at Pocketful. */
  get variables(): Record<string, string> {
    return {
      BROKER_API_KEY: this.options.appId,
      BROKER_API_SECRET: this.options.appSecret,
      REDIRECT_URL: this.options.redirectUrl,
      POCKETFUL_BASE_URL: this.url,
    };
  }

  /**
   * The person approves, at Pocketful, the login the vault redirected to `location` (its authorize URL): a code for
   * `clientId`, bound to the PKCE challenge that came with it. Throws what Pocketful's page would show instead.
   */
  authorize(location: URL, clientId: string): string {
    const query = Object.fromEntries(location.searchParams);
    this.calls.push({ path: '/oauth2/auth', query });
    const problem = this.broker.authorizeProblem(query);
    if (problem) throw new Error(`the broker refused the authorize request: ${problem}`);
    return this.broker.issueCode(clientId, this.broker.challengeOf(query));
  }

  /**
   * The person logs in as `clientId` at the login page `loginUrl` (the adapter's authorize URL) and approves: the
   * URL Pocketful sends the browser back to, with `code`, `scope` and `state`. Throws what Pocketful's page would
   * show for an authorize request it does not accept.
   */
  approve(loginUrl: URL, clientId: string): URL {
    const query = this.authorizeQuery(loginUrl);
    return new URL(this.broker.redirectAfterLogin(query.state, query.scope ?? '', clientId, this.broker.challengeOf(query)));
  }

  /** The person cancels at the login page: back with OAuth2's `error=access_denied` and the state. */
  deny(loginUrl: URL): URL {
    const query = this.authorizeQuery(loginUrl);
    return new URL(this.broker.redirectAfterLogin(query.state, query.scope ?? '', null));
  }

  /** Pocketful ends the token: trading_info answers it 401 `Request Unauthorised`, as for any dead token. */
  kill(accessToken: string): void {
    this.broker.revoke(accessToken);
  }

  /** The next call is answered after `ms`, or dropped if the caller gives up first. */
  delayNext(ms: number): void {
    this.nextDelayMs = ms;
  }

  /** The next call is answered with `status` and the error body that endpoint writes. */
  failNext(status: number): void {
    this.nextFailure = status;
  }

  /** The next refusal quotes, as they were sent, the secrets its call carried. */
  echoNext(): void {
    this.echoPending = true;
  }

  /** The codes sent to /oauth2/token, in order. */
  get exchangedCodes(): string[] {
    return this.calls.filter((call) => call.path === '/oauth2/token').map((call) => call.form?.code ?? '');
  }

  /** The authorize request at the login page, recorded and checked as Pocketful would. */
  private authorizeQuery(loginUrl: URL): Record<string, string> & { state: string } {
    if (`${loginUrl.origin}${loginUrl.pathname}` !== `${this.url}/oauth2/auth`) {
      throw new Error(`the login page is ${this.url}/oauth2/auth, not ${loginUrl.origin}${loginUrl.pathname}`);
    }
    const query = Object.fromEntries(loginUrl.searchParams);
    this.calls.push({ path: '/oauth2/auth', query });
    const problem = this.broker.authorizeProblem(query);
    if (problem) throw new Error(`the broker refused the authorize request: ${problem}`);
    return query as Record<string, string> & { state: string };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const authorization = request.headers.authorization;
    const raw = await readBody(request);
    if (request.method === 'POST' && path === '/oauth2/token') {
      const form = Object.fromEntries(new URLSearchParams(raw));
      this.calls.push({ path, authorization, contentType: request.headers['content-type'], form });
      if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      if (!(await this.delayed(response))) return;
      const reply = this.forcedFailure(oauthFailure) ?? this.tokenReply ?? this.broker.exchange(authorization, form);
      send(response, this.echoed(reply, [form.code, form.code_verifier, ...basicSecrets(authorization)]));
      return;
    }
    if (request.method === 'GET' && path === '/api/v1/user/trading_info') {
      this.calls.push({ path, authorization });
      if (!(await this.delayed(response))) return;
      const reply = this.forcedFailure(apiFailure) ?? this.tradingInfoReply ?? this.broker.tradingInfo(authorization);
      send(response, this.echoed(reply, [/^Bearer (.+)$/.exec(authorization ?? '')?.[1]]));
      return;
    }
    this.calls.push({ path, authorization });
    send(response, { status: 404, text: '404 page not found' });
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

  private forcedFailure(body: (status: number) => unknown): ForcedReply | null {
    const status = this.nextFailure;
    this.nextFailure = null;
    return status === null ? null : { status, body: body(status) };
  }

  /** With echoNext pending, a refusal whose message quotes every secret its call carried, as it was sent. */
  private echoed(reply: ForcedReply, carried: Array<string | undefined>): ForcedReply {
    const isRefusal = reply.status >= 400 || ('body' in reply && (reply.body as { status?: unknown } | null)?.status === 'error');
    if (!this.echoPending || !isRefusal) return reply;
    this.echoPending = false;
    const quoted = carried.filter((secret): secret is string => typeof secret === 'string' && secret !== '').join(' ');
    if ('text' in reply) return { ...reply, text: `${reply.text} ${quoted}` };
    const body = { ...(reply.body as Record<string, unknown>) };
    if (typeof body.error === 'string') body.error_description = `${String(body.error_description ?? '')} (sent: ${quoted})`;
    else body.message = `${String(body.message ?? '')} (sent: ${quoted})`;
    return { status: reply.status, body };
  }
}

/**
 * The error bodies a forced failure carries: fosite's OAuth2 shape at /oauth2/token, Pocketful's API shape at
 * trading_info. The codes for statuses other than 400/401 are inferred (fosite's `server_error`; Pocketful
 * documents only 40000).
 */
function oauthFailure(status: number): unknown {
  const error = status === 401 ? 'invalid_client' : status === 400 ? 'invalid_request' : status >= 500 ? 'server_error' : 'request_forbidden';
  return { error, error_description: `Forced failure with HTTP ${status}.` };
}

function apiFailure(status: number): unknown {
  const unauthorised = status === 401 || status === 403;
  return { status: 'error', message: unauthorised ? 'Request Unauthorised' : 'Something went wrong', error_code: unauthorised ? 40000 : 50000, data: {} };
}

/** The Basic value as sent, and the app secret in it, form-decoded as Pocketful reads it. */
function basicSecrets(authorization: string | undefined): string[] {
  const encoded = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
  if (!encoded) return [];
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const secret = decoded.slice(decoded.indexOf(':') + 1);
  try {
    return [encoded, decodeURIComponent(secret.replace(/\+/g, ' '))];
  } catch {
    return [encoded, secret];
  }
}

function send(response: ServerResponse, reply: ForcedReply): void {
  if ('text' in reply) {
    response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
    response.end(reply.text);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}
