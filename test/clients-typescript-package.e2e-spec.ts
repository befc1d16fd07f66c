import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { TokenEvents, TokenVault, TokenVaultClient, VaultError, VaultEvent } from '../clients/typescript/src';
import { closeAll } from './support/close-all';
import { Ran, runToEnd } from './support/run-to-end';
import { LocalHttpServer, ServerCertificate } from './support/local-http-server';

const PACKAGE = join(__dirname, '..', 'clients', 'typescript');
const TSC = join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
const TLS = join(__dirname, 'fixtures', 'tls');
const CA = readFileSync(join(TLS, 'ca.pem'));
const KEY = 'tvk_the-key-of-this-test-0123456789abcdef';
/** A token as the vault answers it. */
const TOKEN = {
  clientId: 'YA0002',
  broker: 'pocketful',
  accessToken: 'the-access-token',
  tokenType: 'bearer',
  scope: 'orders holdings',
  source: 'login',
  issuedAt: '2026-11-23T08:55:12+05:30',
  expiresAt: '2026-11-24T00:00:00+05:30',
  expiresIn: 54288,
};

/** The vault's answer to a token read: the token for this test's key, 401 for any other. */
function answerToken(request: IncomingMessage, response: ServerResponse): void {
  const known = request.headers.authorization === `Bearer ${KEY}`;
  response.writeHead(known ? 200 : 401, { 'content-type': 'application/json' });
  response.end(JSON.stringify(known ? TOKEN : { error: 'unauthorized', message: 'a valid service key is required' }));
}

async function rejectionOf(promise: Promise<unknown>): Promise<VaultError> {
  const outcome = await promise.then(() => null, (error: unknown) => error);
  if (!(outcome instanceof VaultError)) throw new Error(`expected a VaultError, got ${inspect(outcome)}`);
  return outcome;
}

/** A local server that answers as `handle` says, remembering what reached it. */
class StandIn extends LocalHttpServer {
  readonly requests: IncomingMessage[] = [];

  constructor(handle: (request: IncomingMessage, response: ServerResponse) => void, certificate?: ServerCertificate) {
    super((request, response) => {
      this.requests.push(request);
      handle(request, response);
    }, certificate);
  }
}

/**
 * What stands between a service and the vault is not always the vault: a proxy's error page, a redirect, a host
 * that never answers, a certificate of a desk's own CA, a stream cut anywhere. And the package as it ships:
 * installed from its tarball and its folder, outside the checkout, loaded both ways.
 */
describe('the TypeScript client, against servers that are not the vault', () => {
  const stops: Array<() => Promise<void>> = [];
  const standIn = async (handle: (request: IncomingMessage, response: ServerResponse) => void) => {
    const server = await new StandIn(handle).start();
    stops.push(() => server.stop());
    return server;
  };

  afterEach(async () => {
    await closeAll(...stops.splice(0));
  });

  it('gives up on a request with no answer after its time limit, with the error "timeout"', async () => {
    const silent = await standIn(() => undefined);
    const sut = new TokenVaultClient({ url: silent.url, serviceKey: KEY, timeoutMs: 300 });
    const error = await rejectionOf(sut.token('YA0002'));
    expect(error).toMatchObject({ status: 0, error: 'timeout', temporary: true });
    expect(silent.requests).toHaveLength(1);
  });

  it('reports a proxy’s error page as unexpected_response, repeating none of it', async () => {
    const proxy = await standIn((_, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><body>upstream said: internal-detail-7f3a</body></html>');
    });
    const error = await rejectionOf(new TokenVaultClient({ url: proxy.url, serviceKey: KEY }).token('YA0002'));
    expect(error).toMatchObject({ status: 502, error: 'unexpected_response', temporary: true });
    expect(inspect(error)).not.toContain('internal-detail-7f3a');
  });

  it('follows no redirect, so the key goes nowhere else', async () => {
    const elsewhere = await standIn((_, response) => response.end('{}'));
    const redirecting = await standIn((_, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/v1/tokens/YA0002` });
      response.end();
    });
    const error = await rejectionOf(new TokenVaultClient({ url: redirecting.url, serviceKey: KEY }).token('YA0002'));
    expect(error).toMatchObject({ status: 302, error: 'unexpected_response' });
    expect(redirecting.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('keeps a path in front of /v1, as behind a gateway', async () => {
    const gateway = await standIn((_, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":"token_not_found","message":"no live token is stored for YA0002"}');
    });
    const error = await rejectionOf(new TokenVaultClient({ url: `${gateway.url}/vault/`, serviceKey: KEY }).token('ya0002'));
    expect(error).toMatchObject({ status: 404, error: 'token_not_found', message: 'no live token is stored for YA0002' });
    expect(gateway.requests.map((request) => request.url)).toEqual(['/vault/v1/tokens/YA0002']);
  });

  it('treats a 2xx answer without a token as unexpected_response, never as a token', async () => {
    const odd = await standIn((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"clientId":"YA0002","accessToken":""}');
    });
    expect(await rejectionOf(new TokenVaultClient({ url: odd.url, serviceKey: KEY }).token('YA0002'))).toMatchObject({ error: 'unexpected_response' });
  });

  it('refuses a URL that is not http(s), a key with spaces and a zero time limit, before any request', () => {
    expect(() => new TokenVaultClient({ url: 'ftp://vault:21', serviceKey: KEY })).toThrow('the vault URL must be http(s)');
    expect(() => new TokenVaultClient({ url: 'http://vault:5000', serviceKey: `${KEY} x` })).toThrow('the service key must be set');
    expect(() => new TokenVaultClient({ url: 'http://vault:5000', serviceKey: KEY, timeoutMs: 0 })).toThrow('timeoutMs must be a number, at least 1');
    expect(() => new TokenVaultClient({ url: 'http://vault:5000', serviceKey: KEY, ca: CA })).toThrow('a CA is only for an https vault URL');
  });

  it('is configured by VAULT_URL and VAULT_KEY, and says which one is missing without repeating the key', () => {
    expect(() => TokenVault.fromEnv({}, { VAULT_KEY: KEY })).toThrow('VAULT_URL is not set');
    expect(() => TokenVault.fromEnv({}, { VAULT_URL: 'http://vault:5000' })).toThrow('VAULT_KEY is not set');
    const refused = (() => {
      try {
        TokenVault.fromEnv({}, { VAULT_URL: 'http://vault:5000', VAULT_KEY: KEY, VAULT_CA_FILE: '/nowhere/ca.pem' });
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected VAULT_CA_FILE to be refused');
    })();
    expect(refused.message).toBe('VAULT_CA_FILE cannot be read (ENOENT): /nowhere/ca.pem');
    expect(TokenVault.fromEnv({}, { VAULT_URL: 'http://vault:5000', VAULT_KEY: KEY })).toBeInstanceOf(TokenVaultClient);
  });

  describe('over https, behind a desk’s own CA', () => {
    const tlsStandIn = async () => {
      const server = await new StandIn(answerToken, { cert: readFileSync(join(TLS, 'server.pem')), key: readFileSync(join(TLS, 'server-key.pem')) }).start();
      stops.push(() => server.stop());
      return server;
    };

    it('trusts the vault’s certificate when given its CA, from the option or VAULT_CA_FILE', async () => {
      const vault = await tlsStandIn();
      expect((await new TokenVault({ url: vault.url, serviceKey: KEY, ca: CA }).token('YA0002')).accessToken).toBe(TOKEN.accessToken);
      const fromEnv = TokenVault.fromEnv({}, { VAULT_URL: vault.url, VAULT_KEY: KEY, VAULT_CA_FILE: join(TLS, 'ca.pem') });
      expect((await fromEnv.token('YA0002')).expiresAt).toEqual(new Date(TOKEN.expiresAt));
    });

    it('refuses it without, saying why and sending nothing', async () => {
      const vault = await tlsStandIn();
      const error = await rejectionOf(new TokenVault({ url: vault.url, serviceKey: KEY }).token('YA0002'));
      expect(error).toMatchObject({ status: 0, error: 'network_error', temporary: true });
      expect(error.message).toMatch(/could not be reached \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: its certificate is not signed by a CA this client trusts; give the client its CA\)/);
      expect(vault.requests).toHaveLength(0);
    });
  });

  describe('events()', () => {
    const stored = (id: string, clientId: string) =>
      `id: ${id}\nevent: token.stored\ndata: ${JSON.stringify({ clientId, expiresAt: '2026-11-24T00:00:00+05:30', at: '2026-11-23T08:55:12+05:30' })}\n\n`;
    const sseHead = { 'content-type': 'text/event-stream; charset=utf-8' };

    /** Iterates `stream` in the background until `count` events came, then closes it. */
    async function take(stream: TokenEvents, count: number, withinMs = 10_000): Promise<VaultEvent[]> {
      const seen: VaultEvent[] = [];
      const timer = setTimeout(() => stream.close(), withinMs);
      try {
        for await (const event of stream) {
          seen.push(event);
          if (seen.length === count) break;
        }
      } finally {
        clearTimeout(timer);
      }
      return seen;
    }

    it('reads events cut anywhere, opens a silent stream again after the last id, and hands out no event twice', async () => {
      const frames = [
        // Line ends of every kind, a piece cut between CR and LF, and a heartbeat comment.
        ['retry: 50\r\n\r\n: ping\n\nid: 1795415712345-0\r\nevent: token.st', 'ored\r\ndata: {"clientId":"YA0002","expiresAt":"2026-11-24T00:00:00+05:30",', '"at":"2026-11-23T08:55:12+05:30"}\r', '\n\r\n'],
        // After the reconnect: the same event again (a replay reaching too far back), then one new, then the end.
        [stored('1795415712345-0', 'YA0002'), stored('1795415712999-3', 'ZERODHA:AB1234')],
        [],
      ];
      const vault = await standIn((request, response) => {
        response.writeHead(200, sseHead);
        const pieces = frames.shift() ?? [];
        // Each piece its own write, a moment apart: the client reads them as they come.
        pieces.forEach((piece, index) => setTimeout(() => response.write(piece), index * 20));
        if (pieces.length === 2) setTimeout(() => response.end(), 100);
      });
      const events = new TokenVault({ url: vault.url, serviceKey: KEY, eventsIdleSeconds: 0.5 }).events();
      const seen = await take(events, 2);
      expect(seen).toEqual([
        { type: 'token.stored', id: '1795415712345-0', clientId: 'YA0002', expiresAt: new Date('2026-11-23T18:30:00Z'), at: new Date('2026-11-23T03:25:12Z') },
        { type: 'token.stored', id: '1795415712999-3', clientId: 'ZERODHA:AB1234', expiresAt: new Date('2026-11-23T18:30:00Z'), at: new Date('2026-11-23T03:25:12Z') },
      ]);
      expect(vault.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1795415712345-0']);
      expect(vault.requests[0].headers).toMatchObject({ accept: 'text/event-stream', authorization: `Bearer ${KEY}` });
      expect(events.lastEventId).toBe('1795415712999-3');
    });

    it('waits what a 429’s Retry-After says before opening the stream again, longer than its usual pause', async () => {
      const opened: number[] = [];
      const vault = await standIn((_, response) => {
        opened.push(performance.now());
        if (opened.length === 2) {
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end('{"error":"rate_limited","message":"client strategy-a went past 100 requests a minute"}');
          return;
        }
        response.writeHead(200, sseHead);
        // The first stream sets the pause before a reconnect, then ends at once.
        if (opened.length === 1) response.end('retry: 50\n\n');
        else response.write(stored('1795415712345-0', 'YA0002'));
      });
      const seen = await take(new TokenVault({ url: vault.url, serviceKey: KEY }).events(), 1);
      expect(seen).toHaveLength(1);
      expect(opened[1] - opened[0]).toBeLessThan(1000);
      expect(opened[2] - opened[1]).toBeGreaterThanOrEqual(1000);
    });

    it('ends with unexpected_response when the answer is not an event stream (a proxy’s login page), repeating none of it', async () => {
      const proxy = await standIn((_, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>sign in to the proxy: internal-detail-7f3a</html>');
      });
      const error = await rejectionOf(take(new TokenVault({ url: proxy.url, serviceKey: KEY }).events(), 1));
      expect(error).toMatchObject({ status: 200, error: 'unexpected_response', temporary: false });
      expect(inspect(error)).not.toContain('internal-detail-7f3a');
      expect(proxy.requests).toHaveLength(1);
    });

    it('shows the key in no inspection of the client or of a stream while it is open', async () => {
      const vault = await standIn((_, response) => {
        response.writeHead(200, sseHead);
        response.write(stored('1795415712345-0', 'YA0002'));
      });
      const client = new TokenVault({ url: vault.url, serviceKey: KEY });
      const events = client.events();
      const iterator = events[Symbol.asyncIterator]();
      try {
        expect(await iterator.next()).toMatchObject({ done: false, value: { type: 'token.stored' } });
        const printed = [inspect(events, { depth: 20, showHidden: true }), inspect(client, { depth: 20, showHidden: true }), JSON.stringify(client)];
        expect(printed.filter((text) => text.includes(KEY))).toEqual([]);
      } finally {
        await iterator.return?.();
      }
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('refuses accounts and a lastEventId that cannot be, before any request', () => {
      const vault = new TokenVault({ url: 'http://vault:5000', serviceKey: KEY });
      expect(() => vault.events({ accounts: [] })).toThrow('accounts must list at least one account');
      expect(() => vault.events({ accounts: [' '] })).toThrow('each of accounts must be a non-empty string');
      expect(() => vault.events({ lastEventId: 'yesterday' })).toThrow('lastEventId must be an event id the vault gave');
    });
  });
});

/** Runs a program to its end, with only PATH and HOME of this process: npm's own variables from `npm test` must not steer an npm run here. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return runToEnd(command, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env } });
}

/** Every file under a folder, by its path in it, with its contents. */
function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  }
  return files;
}

const NPM_FLAGS = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** What a CommonJS service and an ES module service print after reading a token through the installed package. */
const CJS_SERVICE = `
const { TokenVault, VaultError } = require('@token-vault/client');
TokenVault.fromEnv().token('ya0002').then((token) => {
  console.log(JSON.stringify({ clientId: token.clientId, expiresAt: token.expiresAt instanceof Date && token.expiresAt.toISOString(), errors: typeof VaultError }));
});
`;
const ESM_SERVICE = `
import { createRequire } from 'node:module';
import { TokenVault, VaultError } from '@token-vault/client';
const required = createRequire(import.meta.url)('@token-vault/client');
const token = await TokenVault.fromEnv().token('ya0002');
const refused = await TokenVault.fromEnv({ serviceKey: 'tvk_wrong' }).token('YA0002').catch((error) => error);
console.log(JSON.stringify({
  clientId: token.clientId,
  expiresAt: token.expiresAt instanceof Date && token.expiresAt.toISOString(),
  oneClass: required.VaultError === VaultError && required.TokenVault === TokenVault && refused instanceof required.VaultError,
}));
`;
/** A service in TypeScript, both ways: it compiles only if the package's types say what the README says. */
const ESM_TYPES = `
import { TokenVault, VaultError, type VaultEvent, type VaultToken } from '@token-vault/client';
const vault: TokenVault = TokenVault.fromEnv({ refreshMarginSeconds: 120 });
const token: VaultToken = await vault.token('AB1234', { broker: 'zerodha', wait: 600 });
const expires: Date = token.expiresAt;
// @ts-expect-error expiresAt is a Date
const text: string = token.expiresAt;
for await (const event of vault.events({ accounts: ['zerodha:AB1234'] })) {
  const seen: VaultEvent = event;
  if (event.type === 'reset') continue;
  const at: Date = event.at;
  console.log(seen, at);
}
export { expires, text, VaultError };
`;
const CJS_TYPES = `
import client = require('@token-vault/client');
const vault: client.TokenVaultClient = new client.TokenVaultClient({ url: 'https://vault:5000', serviceKey: 'tvk_x', ca: 'PEM' });
async function read(): Promise<Date> {
  const report: client.InvalidReport = await vault.reportInvalid('YA0002');
  console.log(report.verdict);
  return (await vault.token('YA0002')).issuedAt;
}
export = read;
`;

describe('the @token-vault/client package', () => {
  const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
  let temp: string;
  let vault: StandIn;

  beforeAll(async () => {
    // Outside the checkout: nothing of it (its node_modules, TypeScript) is found from there.
    temp = mkdtempSync(join(tmpdir(), 'token-vault-client-package-'));
    vault = await new StandIn(answerToken).start();
  });

  afterAll(() => closeAll(() => vault?.stop(), () => rmSync(temp, { recursive: true, force: true })));

  it('ships the build of its sources: dist/ is, file for file, what its own tsconfig makes of src/', async () => {
    const out = join(temp, 'build');
    const built = await run(process.execPath, [TSC, '-p', join(PACKAGE, 'tsconfig.json'), '--outDir', out], temp);
    expect(built).toMatchObject({ code: 0, stdout: '' });
    const fresh = filesOf(out);
    const shipped = filesOf(join(PACKAGE, 'dist'));
    expect([...shipped.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect({ file, text: shipped.get(file) }).toEqual({ file, text });
  }, 60_000);

  it('has no runtime dependency and no install script, and is the vault’s version', () => {
    const vaultManifest = JSON.parse(readFileSync(join(PACKAGE, '..', '..', 'package.json'), 'utf8'));
    expect(manifest.version).toBe(vaultManifest.version);
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines.node).toBe('>=18');
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => /^(pre|post)?(install|prepare|pack)$|^prepublish/.test(name))).toEqual([]);
    const sources = readdirSync(join(PACKAGE, 'src')).filter((name) => /\.m?ts$/.test(name));
    const imported = sources.flatMap((name) => [...readFileSync(join(PACKAGE, 'src', name), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]));
    expect(imported.filter((path) => !path.startsWith('./') && !path.startsWith('node:'))).toEqual([]);
  });

  it('packs and installs outside the checkout, from its tarball and from its folder, and loads by require and by import', async () => {
    const packs = join(temp, 'packs');
    mkdirSync(packs);
    // npm's cache and logs in the temporary folder too: the run leaves nothing behind.
    const npmEnv = { npm_config_cache: join(temp, 'npm-cache') };
    const packed = await run('npm', ['pack', PACKAGE, '--pack-destination', packs, ...NPM_FLAGS], packs, npmEnv);
    expect(packed).toMatchObject({ code: 0 });
    const tarball = join(packs, `token-vault-client-${manifest.version}.tgz`);
    expect(existsSync(tarball)).toBe(true);

    for (const source of [tarball, PACKAGE]) {
      const service = join(temp, source === tarball ? 'from-tarball' : 'from-folder');
      mkdirSync(service);
      writeFileSync(join(service, 'package.json'), JSON.stringify({ name: 'a-strategy', version: '1.0.0', private: true }));
      const installed = await run('npm', ['install', source, ...NPM_FLAGS], service, npmEnv);
      expect({ source, ...installed }).toMatchObject({ source, code: 0, stderr: '' });
      writeFileSync(join(service, 'service.cjs'), CJS_SERVICE);
      writeFileSync(join(service, 'service.mjs'), ESM_SERVICE);
      const env = { VAULT_URL: vault.url, VAULT_KEY: KEY };
      const required = await run(process.execPath, ['service.cjs'], service, env);
      expect({ source, ...required }).toMatchObject({ source, code: 0, stderr: '' });
      expect(JSON.parse(required.stdout)).toEqual({ clientId: 'YA0002', expiresAt: '2026-11-23T18:30:00.000Z', errors: 'function' });
      const imported = await run(process.execPath, ['service.mjs'], service, env);
      expect({ source, ...imported }).toMatchObject({ source, code: 0, stderr: '' });
      expect(JSON.parse(imported.stdout)).toEqual({ clientId: 'YA0002', expiresAt: '2026-11-23T18:30:00.000Z', oneClass: true });
    }
    // The folder is linked, as npm links a folder, and what it links to ran as committed: nothing was built.
    expect(lstatSync(join(temp, 'from-folder', 'node_modules', '@token-vault', 'client')).isSymbolicLink()).toBe(true);
    // Read through each service: the stand-in saw each read with the key, and the wrong key once per service.
    expect(vault.requests.map((request) => request.url)).toEqual(Array(2).fill(['/v1/tokens/YA0002', '/v1/tokens/YA0002', '/v1/tokens/YA0002']).flat());
  }, 60_000);

  it('types its ES module and CommonJS entries alike, for a service compiled either way', async () => {
    const service = join(temp, 'from-tarball');
    expect(existsSync(join(service, 'node_modules', '@token-vault', 'client', 'dist', 'index.d.mts'))).toBe(true);
    writeFileSync(join(service, 'service.mts'), ESM_TYPES);
    writeFileSync(join(service, 'service.cts'), CJS_TYPES);
    const compilerOptions = {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      // Node's own declarations are not this test's to check; the package's are checked as they are used.
      skipLibCheck: true,
      // Node's types from the checkout: the package's declarations name node:https's options.
      typeRoots: [join(__dirname, '..', 'node_modules', '@types')],
      types: ['node'],
    };
    writeFileSync(join(service, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['service.mts', 'service.cts'] }));
    const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], service);
    expect(checked).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 60_000);
});
