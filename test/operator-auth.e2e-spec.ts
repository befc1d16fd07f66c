import { createHash } from 'node:crypto';
import { loadVaultConfig } from '../src/vault-config';
import { FakePocketful } from './support/fake-pocketful';
import { json, TestVault } from './support/test-vault';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('ADMIN_AUTH on the browser routes', () => {
  let broker: FakePocketful;

  beforeAll(async () => {
    broker = await new FakePocketful().start();
  });

  afterAll(() => broker.stop());

  describe('with an operator password', () => {
    let vault: TestVault;
    const operator = { authorization: basic('alice', 'correct horse battery') };

    beforeAll(async () => {
      vault = await TestVault.start({ broker, env: { ADMIN_AUTH: `basic:alice:${sha256('correct horse battery')}`, AUTH_FAILURES_PER_MINUTE: '7' } });
    });

    afterAll(() => vault.close());

    it('asks a browser without the password for it, on every page, and sends nothing to Pocketful', async () => {
      for (const path of ['/', '/pocketful/login', `/pocketful/callback?code=abc&state=${'A'.repeat(43)}`]) {
        const response = await vault.fetch(path);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="token-vault"/);
        expect(response.headers.get('content-type')).toContain('text/html');
        expect(await response.text()).toContain('operator_unauthorized');
      }
      expect((await vault.fetch('/pocketful/login', { headers: { authorization: basic('alice', 'wrong') } })).status).toBe(401);
      expect((await vault.fetch('/pocketful/login', { headers: { authorization: basic('mallory', 'correct horse battery') } })).status).toBe(401);
      expect(broker.calls).toHaveLength(0);
    });

    it('lets the operator log an account in, and names the operator in the audit trail', async () => {
      const begin = await vault.fetch('/pocketful/login', { headers: operator });
      expect(begin.status).toBe(302);
      const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
      const query = new URLSearchParams({ code: broker.broker.issueCode('YA0002'), state }).toString();
      const done = await vault.fetch(`/pocketful/callback?${query}`, { headers: operator });
      expect(done.status).toBe(200);
      const audit = await json(await vault.fetch('/v1/audit?limit=5', { as: 'ops' }));
      const stored = audit.entries.find((entry: { action: string; result: string }) => entry.action === 'store' && entry.result === 'ok');
      expect(stored.client).toBe('browser:alice');
    });

    it('leaves the service API to service keys', async () => {
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
      expect((await vault.fetch('/health/ready')).status).toBe(200);
    });

    it('slows down password guessing from one address, and still lets the operator in', async () => {
      let status = 0;
      for (let attempt = 0; attempt < 8 && status !== 429; attempt += 1) {
        status = (await vault.fetch('/', { headers: { authorization: basic('alice', `guess-${attempt}`) } })).status;
      }
      expect(status).toBe(429);
      expect((await vault.fetch('/', { headers: operator })).status).toBe(200);
      expect(vault.logs.leaked(['correct horse battery', 'guess-0', Buffer.from('alice:correct horse battery').toString('base64')])).toEqual([]);
    });
  });

  describe('behind a single sign-on proxy', () => {
    let vault: TestVault;

    beforeAll(async () => {
      vault = await TestVault.start({ broker, env: { ADMIN_AUTH: 'header:X-Forwarded-Email:alice@desk.example,bob@desk.example' } });
    });

    afterAll(() => vault.close());

    it('lets in only the people the proxy names and the list allows', async () => {
      expect((await vault.fetch('/pocketful/login')).status).toBe(401);
      expect((await vault.fetch('/pocketful/login', { headers: { 'x-forwarded-email': 'eve@desk.example' } })).status).toBe(401);
      expect((await vault.fetch('/pocketful/login', { headers: { 'x-forwarded-email': 'bob@desk.example' } })).status).toBe(302);
    });
  });

  it('refuses a malformed ADMIN_AUTH at start, naming it', () => {
    for (const value of ['basic:alice:not-a-hash', 'password', 'header:', 'basic:alice']) {
      expect(() => loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', ADMIN_AUTH: value })).toThrow(/ADMIN_AUTH/);
    }
  });
});
