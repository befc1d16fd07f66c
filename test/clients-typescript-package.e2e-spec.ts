import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { TokenVaultClient, VaultError } from '../clients/typescript/src';
import { closeAll } from './support/close-all';
import { LocalHttpServer } from './support/local-http-server';

const PACKAGE = join(__dirname, '..', 'clients', 'typescript');
const TSC = join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
const KEY = 'tvk_the-key-of-this-test-0123456789abcdef';

async function rejectionOf(promise: Promise<unknown>): Promise<VaultError> {
  const outcome = await promise.then(() => null, (error: unknown) => error);
  if (!(outcome instanceof VaultError)) throw new Error(`expected a VaultError, got ${inspect(outcome)}`);
  return outcome;
}

/** A local server that answers as `handle` says, remembering what reached it. */
class StandIn extends LocalHttpServer {
  readonly requests: IncomingMessage[] = [];

  constructor(handle: (request: IncomingMessage, response: ServerResponse) => void) {
    super((request, response) => {
      this.requests.push(request);
      handle(request, response);
    });
  }
}

/**
 * What stands between a service and the vault is not always the vault: a proxy's error page, a redirect, a host
 * that never answers. And the package as it ships: built by its own tsconfig, standing alone.
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
  });
});

describe('the @token-vault/client package', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'token-vault-client-build-'));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds with its own tsconfig into the files its package.json names', async () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    const built = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [TSC, '-p', join(PACKAGE, 'tsconfig.json'), '--outDir', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('close', (code) => resolve({ code, output }));
    });
    expect(built).toEqual({ code: 0, output: '' });
    for (const file of [manifest.main, manifest.types]) expect(existsSync(join(out, file.replace(/^dist\//, '')))).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const shipped = require(join(out, 'index.js'));
    expect(Object.keys(shipped).sort()).toEqual(['TokenVaultClient', 'VaultError']);
  }, 60_000);

  it('has no runtime dependency: it imports only its own files and Node’s', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines.node).toBe('>=18');
    const sources = readdirSync(join(PACKAGE, 'src')).filter((name) => name.endsWith('.ts'));
    const imported = sources.flatMap((name) => [...readFileSync(join(PACKAGE, 'src', name), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]));
    expect(imported.filter((path) => !path.startsWith('./') && !path.startsWith('node:'))).toEqual([]);
  });
});
