import { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerReply, SandboxBroker, SandboxBrokerOptions } from '../../src/sandbox/sandbox-broker';
import { LocalHttpServer, readBody } from './local-http-server';

/** A reply forced on the next calls: a status with a JSON body, or raw text (an HTML error page, garbage). */
export type ForcedReply = BrokerReply | { status: number; text: string; contentType?: string };

export interface RecordedCall {
  path: string;
  authorization?: string;
  form?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Pocketful on a real local port, answering as the sandbox broker does, with knobs for what the real one might
 * do: answer slowly, answer with an error in any of its shapes, or with something that is not JSON at all.
 */
export class FakePocketful extends LocalHttpServer {
  readonly calls: RecordedCall[] = [];
  /** Milliseconds to wait before answering /oauth2/token. */
  tokenDelayMs = 0;
  tokenReply: ForcedReply | null = null;
  tradingInfoReply: ForcedReply | null = null;

  readonly broker: SandboxBroker;

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

  /** The codes sent to /oauth2/token, in order. */
  get exchangedCodes(): string[] {
    return this.calls.filter((call) => call.path === '/oauth2/token').map((call) => call.form?.code ?? '');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const authorization = request.headers.authorization;
    const raw = await readBody(request);
    if (request.method === 'POST' && path === '/oauth2/token') {
      const form = Object.fromEntries(new URLSearchParams(raw));
      this.calls.push({ path, authorization, form });
      if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      if (response.destroyed) return;
      send(response, this.tokenReply ?? this.broker.exchange(authorization, form));
      return;
    }
    if (request.method === 'GET' && path === '/api/v1/user/trading_info') {
      this.calls.push({ path, authorization });
      send(response, this.tradingInfoReply ?? this.broker.tradingInfo(authorization));
      return;
    }
    this.calls.push({ path, authorization });
    send(response, { status: 404, text: '404 page not found' });
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
