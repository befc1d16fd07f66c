import { FakePocketful } from './support/fake-pocketful';
import { rawRequest } from './support/raw-request';
import { SpawnedVault } from './support/spawned-vault';
import { json, TestVault } from './support/test-vault';

interface Entry {
  action: string;
  remote: string | null;
  requestId: string | null;
}

/**
 * The proxy in front of the vault connects from 127.0.0.2 and callers from elsewhere (127.0.0.1, 127.0.0.3): every
 * 127.x address reaches a vault listening on 127.0.0.1, so one machine stands for the three hosts.
 */
describe('TRUST_PROXY', () => {
  let broker: FakePocketful;

  beforeAll(async () => {
    broker = await new FakePocketful().start();
  });

  afterAll(() => broker.stop());

  const badKey = (vault: TestVault, from: string, forwardedFor: string, requestId: string) =>
    rawRequest(vault.url, {
      method: 'GET',
      path: '/v1/tokens/YA0002',
      headers: { authorization: 'Bearer tvk_wrong', 'x-forwarded-for': forwardedFor, 'x-request-id': requestId },
      localAddress: from,
    });

  async function remoteOf(vault: TestVault, requestId: string): Promise<string | null> {
    const page: { entries: Entry[] } = await json(await vault.fetch('/v1/audit?limit=100', { as: 'ops' }));
    const entry = page.entries.find((candidate) => candidate.requestId === requestId);
    if (!entry) throw new Error(`no audit entry for ${requestId}`);
    return entry.remote;
  }

  describe('naming the proxy by address', () => {
    let vault: TestVault;

    beforeAll(async () => {
      vault = await TestVault.start({ broker, env: { TRUST_PROXY: '127.0.0.2/32', AUTH_FAILURES_PER_MINUTE: '3' } });
    });

    afterAll(() => vault.close());

    it('takes the caller from X-Forwarded-For only on the proxy\'s connections', async () => {
      expect((await badKey(vault, '127.0.0.2', '203.0.113.5', 'via-proxy')).status).toBe(401);
      expect((await badKey(vault, '127.0.0.3', '203.0.113.6', 'forged')).status).toBe(401);
      expect(await remoteOf(vault, 'via-proxy')).toBe('203.0.113.5');
      expect(await remoteOf(vault, 'forged')).toBe('127.0.0.3');
    });

    it('does not let a caller outside the proxy escape the failed-auth limit by rotating X-Forwarded-For', async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        statuses.push((await badKey(vault, '127.0.0.4', `198.51.100.${attempt}`, `rotate-${attempt}`)).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });

    it('does not let a forged header lock out the address it names', async () => {
      for (let attempt = 0; attempt < 5; attempt += 1) await badKey(vault, '127.0.0.5', '203.0.113.77', `frame-${attempt}`);
      // The framed address, coming through the proxy, still only meets its own (empty) budget.
      expect((await badKey(vault, '127.0.0.2', '203.0.113.77', 'framed-one')).status).toBe(401);
    });
  });

  describe('as a hop count', () => {
    let vault: TestVault;

    beforeAll(async () => {
      vault = await TestVault.start({ broker, env: { TRUST_PROXY: '1' } });
    });

    afterAll(() => vault.close());

    it('takes the address the nearest proxy appended, whatever the caller wrote before it', async () => {
      expect((await badKey(vault, '127.0.0.2', '10.1.1.1, 203.0.113.9', 'hop')).status).toBe(401);
      expect(await remoteOf(vault, 'hop')).toBe('203.0.113.9');
    });

    it('refuses with 400 a forwarded "address" that is not an IP, instead of recording and counting it', async () => {
      for (const forwarded of ['attacker.example', 'unknown', '1.2.3.4.5', '"><script>']) {
        const response = await badKey(vault, '127.0.0.2', forwarded, 'not-ip');
        expect(response.status).toBe(400);
        expect(JSON.parse(response.text)).toEqual({ error: 'invalid_forwarded_for', message: expect.stringContaining('TRUST_PROXY') });
      }
    });

    it('still answers health checks that come without the header', async () => {
      expect((await vault.fetch('/health/live')).status).toBe(200);
    });
  });

  it('refuses a bare true at start, saying why, and never starts listening', async () => {
    const vault = SpawnedVault.start('vault', { SANDBOX: 'true', TOKEN_STORE: 'memory', TRUST_PROXY: 'true' });
    expect(await vault.exit()).toBe(1);
    expect(vault.stderr).toMatch(/^token-vault cannot start/);
    expect(vault.stderr).toContain('TRUST_PROXY=true would believe X-Forwarded-For from any caller');
    expect(vault.stdout).toBe('');
  });
});
