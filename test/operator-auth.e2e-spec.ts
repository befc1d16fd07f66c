import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { hashOperatorPassword } from '../src/access/operator-password';
import { loadVaultConfig } from '../src/vault-config';
import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { rawRequest } from './support/raw-request';
import { json, TestVault } from './support/test-vault';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('ADMIN_AUTH on the browser routes', () => {
  let broker: FakePocketful;

  beforeAll(async () => {
    broker = await new FakePocketful().start();
  });

  afterAll(() => broker.stop());

  describe('with an operator password hashed by npm run operator-password', () => {
    let vault: TestVault;
    const operator = { authorization: basic('alice', 'correct horse battery') };

    beforeAll(async () => {
      // The command as an operator runs it, the password piped in: what it prints is what .env gets.
      const made = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli', 'operator-password.js'), 'alice'], {
        input: 'correct horse battery\n',
        encoding: 'utf8',
      });
      expect(made.status).toBe(0);
      expect(made.stdout).not.toContain('correct horse battery');
      const adminAuth = /^ADMIN_AUTH=(basic:alice:scrypt:\S+)$/m.exec(made.stdout)?.[1];
      expect(adminAuth).toBeDefined();
      vault = await TestVault.start({ broker, env: { ADMIN_AUTH: adminAuth!, AUTH_FAILURES_PER_MINUTE: '7' } });
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
      const cookie = (begin.headers.get('set-cookie') ?? '').split(';')[0];
      const query = new URLSearchParams({ code: broker.broker.issueCode('YA0002'), state }).toString();
      const done = await vault.fetch(`/pocketful/callback?${query}`, { headers: { ...operator, cookie } });
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

  describe('under a flood of wrong passwords, behind a proxy TRUST_PROXY names (127.0.0.2)', () => {
    const PASSWORD = 'correct horse battery staple';
    /** Small, for few hashes and a wide margin on a loaded machine. */
    const BUDGET = 5;
    let vault: TestVault;
    const page = (password: string, from: string, forwardedFor: string) =>
      rawRequest(vault.url, {
        method: 'GET',
        path: '/',
        headers: { authorization: basic('alice', password), 'x-forwarded-for': forwardedFor },
        localAddress: from,
      });

    beforeAll(async () => {
      // The cost npm run operator-password uses by default.
      const adminAuth = `basic:alice:${await hashOperatorPassword(PASSWORD)}`;
      vault = await TestVault.start({ broker, env: { ADMIN_AUTH: adminAuth, TRUST_PROXY: '127.0.0.2', AUTH_FAILURES_PER_MINUTE: String(BUDGET) } });
    });

    afterAll(() => vault.close());

    it('lets the operator in from another client address within 5 s while one floods, and hashes only that address\'s budget', async () => {
      let firstAnswer!: () => void;
      const underWay = new Promise<void>((resolve) => (firstAnswer = resolve));
      const flood = Promise.all(
        Array.from({ length: 300 }, async (_, index) => {
          const answer = await page(`guess-${index}`, '127.0.0.2', '203.0.113.7');
          firstAnswer();
          return answer.status;
        }),
      );
      try {
        await underWay;
        const since = performance.now();
        expect((await page(PASSWORD, '127.0.0.2', '198.51.100.4')).status).toBe(200);
        expect(performance.now() - since).toBeLessThan(5000);
      } finally {
        await flood.catch(() => undefined);
      }
      const statuses = await flood;
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(BUDGET);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    }, 60_000);

    it('does not let a caller outside the proxy escape the limit by writing a new X-Forwarded-For each time', async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < BUDGET + 3; attempt += 1) statuses.push((await page(`guess-${attempt}`, '127.0.0.3', `192.0.2.${attempt}`)).status);
      expect(statuses).toEqual([...Array(BUDGET).fill(401), 429, 429, 429]);
    });
  });

  describe('with the older unsalted SHA-256 of the password', () => {
    it('still lets the operator in, and warns once at start that the hash should be replaced', async () => {
      const logs = new LogCapture();
      const vault = await TestVault.start({ broker, logs, env: { ADMIN_AUTH: `basic:alice:${sha256('correct horse battery')}` } });
      try {
        expect((await vault.fetch('/', { headers: { authorization: basic('alice', 'correct horse battery') } })).status).toBe(200);
        expect((await vault.fetch('/', { headers: { authorization: basic('alice', 'wrong') } })).status).toBe(401);
        expect(warnings(logs).filter((line) => line.includes('unsalted SHA-256'))).toHaveLength(1);
      } finally {
        await vault.close();
      }
    });
  });

  describe('behind a single sign-on proxy (the proxy connects from 127.0.0.2; TRUST_PROXY names it)', () => {
    let vault: TestVault;
    const login = (headers: Record<string, string>, localAddress: string) =>
      rawRequest(vault.url, { method: 'GET', path: '/pocketful/login', headers, localAddress });

    beforeAll(async () => {
      vault = await TestVault.start({
        broker,
        env: { ADMIN_AUTH: 'header:X-Forwarded-Email:alice@desk.example,bob@desk.example', TRUST_PROXY: '127.0.0.2' },
      });
    });

    afterAll(() => vault.close());

    it('lets in only the people the proxy names and the list allows', async () => {
      expect((await login({}, '127.0.0.2')).status).toBe(401);
      expect((await login({ 'x-forwarded-email': 'eve@desk.example' }, '127.0.0.2')).status).toBe(401);
      expect((await login({ 'x-forwarded-email': 'bob@desk.example' }, '127.0.0.2')).status).toBe(302);
    });

    it('treats the header from any other address as unauthenticated: reaching a replica directly bypasses nothing', async () => {
      const callsBefore = broker.calls.length;
      const direct = await login({ 'x-forwarded-email': 'bob@desk.example' }, '127.0.0.1');
      expect(direct.status).toBe(401);
      expect(direct.text).toContain('operator_unauthorized');
      expect((await login({ 'x-forwarded-email': 'bob@desk.example', 'x-forwarded-for': '127.0.0.2' }, '127.0.0.3')).status).toBe(401);
      expect(broker.calls).toHaveLength(callsBefore);
    });
  });

  describe('warnings at start', () => {
    it('says once that ADMIN_AUTH=none leaves the pages open, and that without ALLOWED_CLIENT_IDS any account may log in', async () => {
      const logs = new LogCapture();
      const vault = await TestVault.start({ broker, logs, env: { ADMIN_AUTH: 'none' } });
      await vault.close();
      const said = warnings(logs);
      expect(said.filter((line) => line.startsWith('ADMIN_AUTH=none: anyone who reaches the vault'))).toHaveLength(1);
      expect(said.filter((line) => line.startsWith('ALLOWED_CLIENT_IDS is not set'))).toHaveLength(1);
    });

    it('says neither when the pages are guarded and the accounts listed', async () => {
      const logs = new LogCapture();
      const vault = await TestVault.start({ broker, logs, env: { ADMIN_AUTH: `basic:alice:${sha256('x')}`, ALLOWED_CLIENT_IDS: 'YA0002' } });
      await vault.close();
      expect(warnings(logs).filter((line) => /ADMIN_AUTH=none|ALLOWED_CLIENT_IDS/.test(line))).toEqual([]);
    });
  });

  it('refuses a malformed ADMIN_AUTH at start, naming it', () => {
    for (const value of ['basic:alice:not-a-hash', 'password', 'header:', 'basic:alice']) {
      expect(() => loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', ADMIN_AUTH: value })).toThrow(/ADMIN_AUTH/);
    }
  });
});

/** The messages logged at warn level or above. */
function warnings(logs: LogCapture): string[] {
  return logs.lines
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level >= 40)
    .map((entry) => entry.msg);
}
