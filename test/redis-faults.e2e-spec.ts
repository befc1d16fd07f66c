import Redis from 'ioredis';
import { hashOperatorPassword } from '../src/access/operator-password';
import { TokenReader } from '../src/tokens/read/token-reader';
import { closeAll } from './support/close-all';
import { rawRequest } from './support/raw-request';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

interface Timed {
  status: number;
  error: string | undefined;
  ms: number;
}

async function timedRead(vault: TestVault, account = 'YA0002'): Promise<Timed> {
  const started = performance.now();
  const response = await vault.fetch(`/v1/tokens/${account}`, { as: 'strategy-a' });
  const body = await json(response);
  return { status: response.status, error: body.error, ms: performance.now() - started };
}

/** How often Redis was sent one command since the stats were last reset, run or rejected, from INFO commandstats. */
async function callsOf(client: Redis, command: string): Promise<number> {
  const line = new RegExp(`^cmdstat_${command}:(.*)$`, 'm').exec(await client.info('commandstats'))?.[1] ?? '';
  const field = (name: string) => Number(new RegExp(`(?:^|,)${name}=(\\d+)`).exec(line)?.[1] ?? 0);
  return field('calls') + field('rejected_calls');
}

/**
 * Redis going silent (SIGSTOP: connections stay open, nothing is answered) and going away (stopped, then started
 * again), under the token read path: each read ends at its deadline or at once, never hangs, and the vault comes
 * back by itself.
 */
describe('a Redis that stops answering', () => {
  let fixture: VaultFixture;
  let redis: TestRedis;
  let inspector: Redis;

  beforeAll(async () => {
    // Append-only, so that the token stored before a restart is served after it. Each test starts its own vault.
    fixture = await VaultFixture.start({ redis: { appendOnly: true }, replicas: 0 });
    redis = fixture.redis;
    inspector = redis.client();
  });

  afterEach(() => redis.resume());

  afterAll(async () => {
    redis?.resume();
    await closeAll(() => inspector?.quit(), () => fixture?.close());
  });

  async function withVault(env: Record<string, string>, use: (vault: TestVault) => Promise<void>): Promise<void> {
    const vault = await fixture.another({ env });
    try {
      expect((await vault.login('YA0002', fixture.broker)).status).toBe(200);
      await use(vault);
    } finally {
      redis.resume();
      await vault.close();
    }
  }

  it('fails every read of a batch waiting on a silent Redis with 503 store_unavailable at REDIS_COMMAND_TIMEOUT_MS', async () => {
    await withVault({ REDIS_COMMAND_TIMEOUT_MS: '400' }, async (vault) => {
      redis.pause();
      // Sent in one turn of the event loop: the vault gathers them into one script call.
      const reads = await Promise.all(Array.from({ length: 40 }, () => timedRead(vault)));
      expect(reads.map(({ status, error }) => `${status} ${error}`)).toEqual(Array(40).fill('503 store_unavailable'));
      // The deadline is 400 ms; a generous bound for a loaded machine, well below the 2 s the vault used to wait.
      expect(Math.max(...reads.map((read) => read.ms))).toBeLessThan(1_500);
    });
  }, 20_000);

  it('fails a read held behind a call to a silent Redis at its own deadline, not the call’s and then its own', async () => {
    await withVault({ REDIS_COMMAND_TIMEOUT_MS: '400' }, async (vault) => {
      const reader = vault.app.get(TokenReader);
      const timed = async (requestId: string) => {
        const started = performance.now();
        const outcome = await reader
          .read({ clientId: 'YA0002', rate: null, audit: { client: 'strategy-a', account: 'YA0002', requestId, remote: '127.0.0.1' }, failClosed: true, woken: false })
          .then(() => 'answered', (error: { code?: string }) => error.code ?? 'failed');
        return { outcome, ms: performance.now() - started };
      };
      redis.pause();
      const first = timed('first');
      await new Promise((resolve) => setImmediate(resolve));
      // Arrives while the first call is out: held for the next call, which goes out after the hold, not after the
      // first call's deadline.
      const held = await timed('held');
      expect(held.outcome).toBe('store_unavailable');
      expect((await first).outcome).toBe('store_unavailable');
      // 400 ms and the hold on a loaded machine; waiting for the first call first would take 800.
      expect(held.ms).toBeLessThan(700);
    });
  }, 20_000);

  it('stops sending after 3 failures in a row, refusing reads at once, then closes when Redis answers again', async () => {
    await withVault({}, async (vault) => {
      // The script is loaded by a first read, so that each read after it is one EVALSHA.
      expect((await timedRead(vault)).status).toBe(200);
      await inspector.config('RESETSTAT');
      redis.pause();
      // Three reads in three turns of the event loop: three script calls, each waiting out the 1 s default deadline.
      const first = await Promise.all([0, 50, 100].map((delay) => new Promise((resolve) => setTimeout(resolve, delay)).then(() => timedRead(vault))));
      expect(first.map((read) => read.status)).toEqual([503, 503, 503]);
      expect(Math.min(...first.map((read) => read.ms))).toBeGreaterThan(700);

      const refused: Timed[] = [];
      for (let index = 0; index < 10; index += 1) refused.push(await timedRead(vault));
      expect(refused.map(({ status, error }) => `${status} ${error}`)).toEqual(Array(10).fill('503 store_unavailable'));
      // Nothing waits for a deadline any more: half of it is a generous bound on a loaded machine.
      expect(Math.max(...refused.map((read) => read.ms))).toBeLessThan(500);
      const ready = await vault.fetch('/health/ready');
      expect(ready.status).toBe(503);
      expect((await json(ready)).details.store.message).toMatch(/^Redis cannot serve \(no answer in time\)/);

      redis.resume();
      // Redis now runs what it was sent while stopped: the three calls before the breaker opened, and none after.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await callsOf(inspector, 'evalsha')).toBe(3);
      await until(async () => (await timedRead(vault)).status === 200, 5_000, 'reads to be served again');
      expect((await vault.fetch('/health/ready')).status).toBe(200);
      expect(vault.logs.lines.filter((line) => line.includes(`Redis at 127.0.0.1:${redis.port} answers again`))).toHaveLength(1);
    });
  }, 20_000);

  it('logs an outage under read load in a few lines, and its end in one, then serves again without a restart', async () => {
    await withVault({ LOG_LEVEL: 'info' }, async (vault) => {
      const before = vault.logs.lines.length;
      await redis.stop();
      const outcomes: string[] = [];
      const until3s = performance.now() + 3_000;
      const reader = async () => {
        while (performance.now() < until3s) {
          const { status, error } = await timedRead(vault);
          outcomes.push(`${status} ${error}`);
        }
      };
      await Promise.all(Array.from({ length: 10 }, reader));
      const during = vault.logs.lines.slice(before);
      // The other routes meanwhile: the rate limit, counted in Redis, lets them through to meet the store themselves.
      const others = {
        live: (await vault.fetch('/health/live')).status,
        accounts: (await vault.fetch('/v1/accounts', { as: 'ops' })).status,
        login: (await vault.fetch('/pocketful/login')).status,
        wrongKey: (await vault.fetch('/v1/tokens/YA0002', { headers: { authorization: 'Bearer not-a-key' } })).status,
      };
      await redis.restart();
      await until(async () => (await timedRead(vault)).status === 200, 5_000, 'reads to be served again');
      const after = vault.logs.lines.slice(before + during.length);

      expect(outcomes.length).toBeGreaterThan(200);
      expect(new Set(outcomes)).toEqual(new Set(['503 store_unavailable']));
      // A wrong key is still refused (its failure goes uncounted); nothing the store holds is served.
      expect(others).toEqual({ live: 200, accounts: 503, login: 503, wrongKey: 401 });
      // The outage began, and the breaker opened: not a line per read, nor per failed reconnection. Other features
      // that follow Redis may say once that they lost it.
      const fromRedis = during.filter((line) => line.includes('"context":"Redis"')).map((line) => JSON.parse(line).msg);
      expect(fromRedis).toEqual([
        expect.stringMatching(new RegExp(`^Redis at 127\\.0\\.0\\.1:${redis.port} (is disconnected|refused the connection \\(ECONNREFUSED\\): nothing listens there)$`)),
        `Redis at 127.0.0.1:${redis.port}: 3 commands in a row failed; refusing commands at once until it answers again (asked every 500 ms)`,
      ]);
      expect(during.length).toBeLessThanOrEqual(5);
      const recovered = after.filter((line) => line.includes(`Redis at 127.0.0.1:${redis.port} answers again`));
      expect(recovered).toHaveLength(1);
      const failed = Number(/(\d[\d,]*) commands failed meanwhile/.exec(recovered[0])?.[1].replace(/,/g, ''));
      expect(failed).toBeGreaterThanOrEqual(outcomes.length);
    });
  }, 20_000);

  it('keeps counting failed authentications, in memory, while Redis is down: 429 past the budget, a valid key still let through', async () => {
    const BUDGET = 3;
    const adminAuth = `basic:alice:${await hashOperatorPassword('correct horse battery staple', { log2n: 14, r: 8, p: 1 })}`;
    const vault = await fixture.another({ env: { AUTH_FAILURES_PER_MINUTE: String(BUDGET), ADMIN_AUTH: adminAuth } });
    const from = (localAddress: string, path: string, authorization: string) =>
      rawRequest(vault.url, { method: 'GET', path, headers: { authorization }, localAddress });
    try {
      await redis.stop();
      const keyGuesses: number[] = [];
      for (let attempt = 0; attempt < BUDGET + 2; attempt += 1) keyGuesses.push((await from('127.0.0.2', '/v1/accounts', 'Bearer tvk_guess')).status);
      expect(keyGuesses).toEqual([...Array(BUDGET).fill(401), 429, 429]);
      // A valid key from the same address is past the guard at once; what it reads is down.
      const valid = await from('127.0.0.2', '/v1/accounts', `Bearer ${vault.keys.ops}`);
      expect(`${valid.status} ${JSON.parse(valid.text).error}`).toBe('503 store_unavailable');

      const passwordGuesses: number[] = [];
      for (let attempt = 0; attempt < BUDGET + 3; attempt += 1) {
        passwordGuesses.push((await from('127.0.0.3', '/', `Basic ${Buffer.from(`alice:guess-${attempt}`).toString('base64')}`)).status);
      }
      expect(passwordGuesses).toEqual([...Array(BUDGET).fill(401), 429, 429, 429]);
    } finally {
      await redis.restart();
      await vault.close();
    }
  }, 20_000);
});
