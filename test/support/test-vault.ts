import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { clientFor, newServiceKey } from '../../src/access/clients-file';
import { createVaultApp } from '../../src/app.factory';
import { Clock } from '../../src/clock/clock';
import { loadVaultConfig, VaultConfig } from '../../src/vault-config';
import { FakePocketful } from './fake-pocketful';
import { keyedFetch } from './keyed-fetch';
import { LogCapture } from './log-capture';
import { expiryTimeFarFromNow } from './test-time';

export interface TestClient {
  name: string;
  accounts: string[];
  admin?: boolean;
}

export interface TestVaultOptions {
  broker: FakePocketful;
  /** Variables as an operator would set them; the broker's are filled in. */
  env?: Record<string, string>;
  clock?: Clock;
  logs?: LogCapture;
  clients?: TestClient[];
  /** Keys by client name, to give several replicas the same clients; made fresh when absent. */
  keys?: Record<string, string>;
}

/** The clients a test vault has unless a test names its own: an admin, and a strategy that reads YA0002. */
export const DEFAULT_CLIENTS: readonly TestClient[] = [
  { name: 'ops', accounts: ['*'], admin: true },
  { name: 'strategy-a', accounts: ['YA0002'] },
];

/** The login cookies the vaults set, by state: one browser for every vault, as replicas behind one address share one. */
const loginCookies = new Map<string, string>();

/** A fresh 32-byte key, base64, as VAULT_ENCRYPTION_KEY takes it. */
export const newEncryptionKey = (): string => randomBytes(32).toString('base64');

/** The vault as main.ts builds it, listening on a free port, configured from variables, talking to a fake Pocketful. */
export class TestVault {
  private closing: Promise<void> | null = null;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly config: VaultConfig,
    readonly keys: Record<string, string>,
    readonly logs: LogCapture,
  ) {}

  static async start(options: TestVaultOptions): Promise<TestVault> {
    const { broker } = options;
    const env = {
      ...broker.variables,
      TOKEN_STORE: 'memory',
      PORT: '0',
      LOG_LEVEL: 'debug',
      // Outside the sandbox ADMIN_AUTH must be written out; the suites that test it set their own.
      ADMIN_AUTH: 'none',
      // On the real clock, unless a spec sets its own; a test clock stands on its base, where a spec puts the cut-off.
      ...(options.clock ? {} : { TOKEN_EXPIRY_TIME: expiryTimeFarFromNow() }),
      ...options.env,
    };
    const config = loadVaultConfig(env);
    const keys: Record<string, string> = {};
    const clients = (options.clients ?? DEFAULT_CLIENTS).map((client) => {
      keys[client.name] = options.keys?.[client.name] ?? newServiceKey();
      return clientFor(client.name, keys[client.name], client.accounts, client.admin ?? false);
    });
    const logs = options.logs ?? new LogCapture();
    const app = await createVaultApp({ config, clock: options.clock, logStream: logs, extraClients: clients });
    await app.listen(config.http.port, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    return new TestVault(app, `http://127.0.0.1:${port}`, config, keys, logs);
  }

  /** A request with a service key, by client name. */
  fetch(path: string, init: RequestInit & { as?: string } = {}): Promise<Response> {
    return keyedFetch(this.url, this.keys, path, init);
  }

  /** Starts a login and returns the `state` the vault put in Pocketful's authorize URL, and the login cookie it set. */
  async beginLogin(): Promise<{ state: string; location: URL; cookie: string }> {
    const response = await this.fetch('/pocketful/login');
    const location = new URL(response.headers.get('location') ?? '');
    const state = location.searchParams.get('state') ?? '';
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    loginCookies.set(state, cookie);
    return { state, location, cookie };
  }

  /** The callback as the browser that began the login sends it, with its cookie; `cookie` replaces it ('' for none). */
  callback(query: Record<string, string>, cookie = loginCookies.get(query.state ?? '') ?? ''): Promise<Response> {
    return this.fetch(`/pocketful/callback?${new URLSearchParams(query).toString()}`, cookie ? { headers: { cookie } } : {});
  }

  /**
   * A whole login, as a browser would make it, for an account the broker knows, that must succeed: any page but the
   * 200 fails the test, with its status and error code. `tryLogin` is the same login, whatever it answers.
   */
  async login(clientId: string, broker: FakePocketful): Promise<Response> {
    const page = await this.tryLogin(clientId, broker);
    if (page.status !== 200) {
      const code = /id="code">([^<]*)</.exec(await page.text())?.[1] ?? 'no error code';
      throw new Error(`the login of ${clientId} answered ${page.status} (${code})`);
    }
    return page;
  }

  async tryLogin(clientId: string, broker: FakePocketful): Promise<Response> {
    const { state } = await this.beginLogin();
    return this.callback({ code: broker.broker.issueCode(clientId), scope: 'orders holdings', state });
  }

  /**
   * Closes at once: a request a failed test left hanging is cut off rather than waited for. A second close, or one
   * after `shutDown`, waits for the first.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.app.getHttpServer().closeAllConnections();
      await this.app.close();
    })();
    return this.closing;
  }

  /** Closes as the process does on a signal: requests still open are answered by the vault's own shutdown. */
  shutDown(): Promise<void> {
    this.closing ??= this.app.close();
    return this.closing;
  }
}

/** The body of a JSON response, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async (response: Response): Promise<any> => response.json();
