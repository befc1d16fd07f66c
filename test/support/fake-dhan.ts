import { IncomingMessage } from 'node:http';
import { DhanReply, DhanSandbox, DhanSandboxOptions } from '../../src/brokers/dhan/dhan-sandbox';
import { FakeBrokerServer, FakeReply } from './fake-broker-server';

export interface RecordedDhanCall {
  method: string;
  path: string;
  query: Record<string, string>;
  appId?: string;
  appSecret?: string;
  accessToken?: string;
}

export interface FakeDhanOptions extends Partial<DhanSandboxOptions> {
  /** The client id the vault is configured with (DHAN_CLIENT_ID). */
  clientId?: string;
}

const header = (request: IncomingMessage, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Dhan on a real local port (its auth host and API host on one origin), answering as the Dhan sandbox does, with the
 * broker contract's knobs (test/support/fake-broker-server.ts): the person's side of the consent's login page, a
 * token ended, and a next call that is slow, fails, or echoes what it was sent.
 */
export class FakeDhan extends FakeBrokerServer<RecordedDhanCall> {
  readonly sandbox: DhanSandbox;
  readonly clientId: string;

  constructor(options: FakeDhanOptions = {}) {
    super();
    const { clientId = 'AB1234', ...sandbox } = options;
    this.clientId = clientId;
    this.sandbox = new DhanSandbox({
      apiKey: 'dhan-app-id-0123',
      apiSecret: 'dhan+secret/with:odd%chars',
      redirectUrl: 'http://127.0.0.1:5000/dhan/callback',
      accounts: ['AB1234', '1000000002'],
      ...sandbox,
    });
  }

  get options(): DhanSandboxOptions {
    return this.sandbox.options;
  }

  /** The variables that turn Dhan on in a vault and point it at this fake. */
  get variables(): Record<string, string> {
    return {
      DHAN_API_KEY: this.options.apiKey,
      DHAN_API_SECRET: this.options.apiSecret,
      DHAN_REDIRECT_URL: this.options.redirectUrl,
      DHAN_CLIENT_ID: this.clientId,
      DHAN_AUTH_URL: this.url,
      DHAN_API_URL: this.url,
    };
  }

  /** The person logs in as `account` at the consent's login page `loginUrl`: where Dhan sends the browser back. */
  approve(loginUrl: URL, account: string): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), account));
  }

  /** The person cancels at the consent's login page. */
  deny(loginUrl: URL): URL {
    return new URL(this.sandbox.redirectAfterLogin(this.openLoginPage(loginUrl), null));
  }

  kill(accessToken: string): void {
    this.sandbox.end(accessToken);
  }

  /** The calls to one of Dhan's paths (`/app/consumeApp-consent`), in order. */
  callsTo(path: string): RecordedDhanCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  /** What Dhan's login page does with the browser: refuses a consent it cannot show, else hands back its id. */
  private openLoginPage(loginUrl: URL): string {
    if (loginUrl.origin !== this.url || loginUrl.pathname !== '/login/consentApp-login') {
      throw new Error(`the login page is not Dhan's consentApp-login: ${loginUrl.origin}${loginUrl.pathname}`);
    }
    const consentAppId = loginUrl.searchParams.get('consentAppId') ?? undefined;
    const problem = this.sandbox.loginProblem(consentAppId);
    if (problem) throw new Error(`Dhan refused the login page: ${problem}`);
    return consentAppId as string;
  }

  protected record(request: IncomingMessage, url: URL): RecordedDhanCall {
    return {
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      appId: header(request, 'app_id'),
      appSecret: header(request, 'app_secret'),
      accessToken: header(request, 'access-token'),
    };
  }

  protected answer(call: RecordedDhanCall): DhanReply {
    const app = { appId: call.appId, appSecret: call.appSecret };
    if (call.method === 'POST' && call.path === '/app/generate-consent') return this.sandbox.generateConsent(call.query.client_id, app);
    if (call.method === 'GET' && call.path === '/app/consumeApp-consent') return this.sandbox.consumeConsent(call.query.tokenId, app);
    if (call.method === 'GET' && call.path === '/v2/profile') return this.sandbox.profile(call.accessToken);
    return { status: 404, body: { errorType: 'Others', errorCode: 'DH-910', errorMessage: 'Not found' } };
  }

  protected failure(status: number): DhanReply {
    if (status >= 500) return { status, body: { errorType: 'Internal_Server_Error', errorCode: 'DH-908', errorMessage: `Forced failure ${status}` } };
    if (status === 401) return { status, body: { errorType: 'Invalid_Authentication', errorCode: 'DH-901', errorMessage: 'Forced failure 401' } };
    return { status, body: { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: `Forced failure ${status}` } };
  }

  /** Quotes the token id, the app secret and the access token the call carried. */
  protected quoting(reply: FakeReply, call: RecordedDhanCall): FakeReply {
    if (!('body' in reply)) return reply;
    const body = reply.body as { errorMessage?: unknown };
    const quoted = [call.query.tokenId, call.appSecret, call.accessToken].filter((value) => typeof value === 'string');
    return { status: reply.status, body: { ...body, errorMessage: `${String(body.errorMessage)} (you sent: ${quoted.join(' ')})` } };
  }
}
