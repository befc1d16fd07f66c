import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { rawRequest, RawResponse } from './support/raw-request';
import { json, TestVault } from './support/test-vault';

/** GET /metrics from `from` (any 127.x address reaches a vault on 127.0.0.1), with the headers given. */
const scrape = (vault: TestVault, headers: Record<string, string> = {}, from = '127.0.0.1'): Promise<RawResponse> =>
  rawRequest(vault.url, { method: 'GET', path: '/metrics', headers, localAddress: from });

const errorOf = (response: RawResponse) => (JSON.parse(response.text) as { error: string }).error;

/** An answer that is the vault's metrics, not a refusal. */
const expectMetrics = (response: RawResponse) => {
  expect(response.status).toBe(200);
  expect(response.text).toContain('token_vault_process_cpu_seconds_total');
};

/**
 * METRICS_AUTH against vaults on real ports: a bearer secret read from a file, as Prometheus's credentials_file
 * holds it, and an allow-list of addresses, with and without a proxy that TRUST_PROXY names. The proxy connects
 * from 127.0.0.2, callers from other 127.x addresses.
 */
describe('METRICS_AUTH', () => {
  const secret = randomBytes(32).toString('hex');
  /** The secret with its last character changed: always another one, whatever that character was. */
  const nearMiss = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
  const logs = new LogCapture();
  let dir: string;
  let broker: FakePocketful;
  const vaults: TestVault[] = [];

  const start = async (env: Record<string, string>, capture?: LogCapture) => {
    const vault = await TestVault.start({ broker, env: { AUTH_FAILURES_PER_MINUTE: '1000', ...env }, logs: capture });
    vaults.push(vault);
    return vault;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'metrics-auth-'));
    broker = await new FakePocketful().start();
  });

  afterAll(() =>
    closeAll(
      ...vaults.map((vault) => () => vault.close()),
      () => broker?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  describe('bearer-file:PATH', () => {
    let vault: TestVault;

    beforeAll(async () => {
      const file = join(dir, 'metrics-token');
      writeFileSync(file, `${secret}\n`);
      vault = await start({ METRICS_AUTH: `bearer-file:${file}`, LOG_LEVEL: 'trace' }, logs);
    });

    it("answers 401 with a Bearer challenge without the secret, or with another, and the metrics to Prometheus's header", async () => {
      for (const authorization of [undefined, `Bearer ${nearMiss}`, `Bearer ${secret}x`, `Basic ${secret}`, 'Bearer']) {
        const response = await scrape(vault, authorization === undefined ? {} : { authorization });
        expect(response.status).toBe(401);
        expect(errorOf(response)).toBe('unauthorized');
        expect(response.headers['www-authenticate']).toBe('Bearer realm="token-vault"');
        expect(response.text).not.toContain('token_vault_');
      }
      expectMetrics(await scrape(vault, { authorization: `Bearer ${secret}` }));
      expectMetrics(await scrape(vault, { authorization: `bearer ${secret}` }));
      // The probes stay open.
      expect((await rawRequest(vault.url, { method: 'GET', path: '/health/live' })).status).toBe(200);
    });

    it('records refused scrapes in the audit trail, and never writes the secret to the log', async () => {
      const requestId = `scrape-${randomBytes(4).toString('hex')}`;
      expect((await scrape(vault, { authorization: 'Bearer wrong-secret-of-a-stranger', 'x-request-id': requestId })).status).toBe(401);
      const { entries } = await json(await vault.fetch('/v1/audit?limit=100', { as: 'ops' }));
      expect(entries).toContainEqual(expect.objectContaining({ action: 'refused', result: 'unauthorized', requestId }));
      // Scrapes make no request lines (they would drown the rest); nothing else may carry the secret either.
      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.leaked([secret])).toEqual([]);
    });

  });

  describe('bearer:SECRET', () => {
    it('takes the secret written in the variable as well', async () => {
      const vault = await start({ METRICS_AUTH: `bearer:${secret}` });
      expect((await scrape(vault)).status).toBe(401);
      expectMetrics(await scrape(vault, { authorization: `Bearer ${secret}` }));
    });
  });

  describe('allow:… without a proxy', () => {
    let vault: TestVault;

    beforeAll(async () => {
      vault = await start({ METRICS_AUTH: 'allow:127.0.0.3,127.0.1.0/24' });
    });

    it('serves the listed addresses and ranges, and answers 403 to any other, even one naming a listed one in X-Forwarded-For', async () => {
      expectMetrics(await scrape(vault, {}, '127.0.0.3'));
      expectMetrics(await scrape(vault, {}, '127.0.1.77'));
      for (const [from, headers] of [
        ['127.0.0.4', {}],
        ['127.0.0.1', { 'x-forwarded-for': '127.0.0.3' }],
        ['127.0.2.1', { authorization: `Bearer ${secret}` }],
      ] as const) {
        const response = await scrape(vault, headers, from);
        expect(response.status).toBe(403);
        expect(errorOf(response)).toBe('forbidden');
        expect(response.text).not.toContain('token_vault_');
      }
    });
  });

  describe('allow:… behind a proxy TRUST_PROXY names', () => {
    let vault: TestVault;

    beforeAll(async () => {
      vault = await start({ METRICS_AUTH: 'allow:10.20.0.0/16', TRUST_PROXY: '127.0.0.2' });
    });

    it('takes the caller the proxy names, and only from the proxy', async () => {
      expectMetrics(await scrape(vault, { 'x-forwarded-for': '10.20.3.4' }, '127.0.0.2'));
      expect((await scrape(vault, { 'x-forwarded-for': '10.21.3.4' }, '127.0.0.2')).status).toBe(403);
      // A caller that reaches the vault past the proxy cannot choose its address.
      expect((await scrape(vault, { 'x-forwarded-for': '10.20.3.4' }, '127.0.0.5')).status).toBe(403);
      // Nor is the proxy itself a scraper, unless listed.
      expect((await scrape(vault, {}, '127.0.0.2')).status).toBe(403);
    });
  });

  describe('unset', () => {
    it('leaves /metrics open, as before the variable, and says so at start only when the vault listens beyond this machine', async () => {
      const open = new LogCapture();
      expectMetrics(await scrape(await start({ HOST: '0.0.0.0' }, open)));
      expect(open.text).toMatch(/METRICS_AUTH is not set: anyone who reaches the vault can read \/metrics/);
      // Not when none is written out, a choice, nor on a loopback address.
      for (const env of [{ HOST: '0.0.0.0', METRICS_AUTH: 'none' }, { HOST: '127.0.0.1' }] as Array<Record<string, string>>) {
        const quiet = new LogCapture();
        expectMetrics(await scrape(await start(env, quiet)));
        expect(quiet.text).toContain('alerts are off');
        expect(quiet.text).not.toContain('METRICS_AUTH');
      }
    });
  });
});
