import { IncomingMessage } from 'node:http';
import { SandboxBroker, SandboxBrokerOptions } from '../../src/sandbox/sandbox-broker';
import { FakeBrokerServer, FakeReply } from './fake-broker-server';

/** A reply forced on calls: a status with a JSON body, or raw text (an HTML error page, garbage). */
export type ForcedReply = FakeReply;

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
export class FakePocketful extends FakeBrokerServer<RecordedCall> {
  /** Milliseconds to wait before answering every /oauth2/token. */
  tokenDelayMs = 0;
  /** Replies to every call to /oauth2/token or trading_info, in place of the sandbox's, until set back to null. */
  tokenReply: ForcedReply | null = null;
  tradingInfoReply: ForcedReply | null = null;

  readonly broker: SandboxBroker;

  constructor(options: Partial<SandboxBrokerOptions> = {}) {
    super();
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

  protected record(request: IncomingMessage, url: URL, body: string): RecordedCall {
    const path = url.pathname;
    const authorization = request.headers.authorization;
    if (request.method === 'POST' && path === '/oauth2/token') {
      return { path, authorization, contentType: request.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)) };
    }
    return { path, authorization };
  }

  protected async answer(call: RecordedCall): Promise<ForcedReply> {
    if (call.form && call.path === '/oauth2/token') {
      if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      return this.tokenReply ?? this.broker.exchange(call.authorization, call.form);
    }
    if (call.path === '/api/v1/user/trading_info') return this.tradingInfoReply ?? this.broker.tradingInfo(call.authorization);
    return { status: 404, text: '404 page not found' };
  }

  /** fosite's OAuth2 shape at /oauth2/token, Pocketful's API shape elsewhere. */
  protected failure(status: number, call: RecordedCall): ForcedReply {
    return { status, body: call.path === '/oauth2/token' ? oauthFailure(status) : apiFailure(status) };
  }

  /** Pocketful's API says "error" in its body, at times with a 200. */
  protected override isRefusal(reply: ForcedReply): boolean {
    return reply.status >= 400 || ('body' in reply && (reply.body as { status?: unknown } | null)?.status === 'error');
  }

  protected quoting(reply: ForcedReply, call: RecordedCall): ForcedReply {
    const carried = call.form ? [call.form.code, call.form.code_verifier, ...basicSecrets(call.authorization)] : [/^Bearer (.+)$/.exec(call.authorization ?? '')?.[1]];
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
