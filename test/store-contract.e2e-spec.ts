import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../src/clock/clock';
import { CoordinationStore } from '../src/coordination/coordination.store';
import { MemoryCoordinationStore } from '../src/coordination/memory-coordination.store';
import { RedisCoordinationStore } from '../src/coordination/redis-coordination.store';
import { TokenCipher } from '../src/crypto/token-cipher';
import { VaultError } from '../src/errors/vault-error';
import { LoginStateStore } from '../src/login/login-state.store';
import { MemoryLoginStateStore } from '../src/login/memory-login-state.store';
import { RedisLoginStateStore } from '../src/login/redis-login-state.store';
import { RedisConnection } from '../src/redis/redis-connection';
import { RedisKeys } from '../src/redis/redis-keys';
import { StorageSettings } from '../src/redis/storage.config';
import { MemoryTokenStore } from '../src/tokens/memory-token.store';
import { RedisTokenStore } from '../src/tokens/redis-token.store';
import { StoredToken } from '../src/tokens/stored-token';
import { TokenStore } from '../src/tokens/token.store';
import { ManualClock } from './support/manual-clock';
import { TestRedis } from './support/redis-server';
import { RunningClock } from './support/running-clock';
import { BASE_DAY, BASE_TIME } from './support/test-time';
import { until } from './support/until';

// The adapters run here outside a Nest app, where their warnings would go to the console.
Logger.overrideLogger(false);

interface Stores {
  tokens: TokenStore;
  states: LoginStateStore;
  claims: CoordinationStore;
  /** Moves time forward as the store sees it: a ManualClock for memory; for Redis, real time, which its clock follows. */
  pass(ms: number): Promise<void>;
  /** An instant `ms` from now, as the store sees it. */
  later(ms: number): Date;
  now(): Date;
}

function token(clientId: string, expiresAt: Date, overrides: Partial<StoredToken> = {}): StoredToken {
  return {
    clientId,
    accessToken: `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
    tokenType: 'bearer',
    scope: 'orders holdings',
    issuedAt: new Date(expiresAt.getTime() - 3_600_000),
    expiresAt,
    source: 'login',
    fingerprint: randomBytes(12).toString('base64url'),
    ...overrides,
  };
}

function redisStores(redis: TestRedis, prefix: string, clock: Clock, key = randomBytes(32)) {
  const connection = new RedisConnection(new StorageSettings({ kind: 'redis', redisUrl: redis.url, keyPrefix: prefix, redisPassword: null }), new RedisKeys(prefix));
  return { connection, tokens: new RedisTokenStore(connection, new TokenCipher(key), clock) };
}

/**
 * One contract for every adapter. Redis counts a key's lifetime down in real time, so its suite moves time by
 * waiting (briefly) with a clock that runs from the tests' base; the memory adapters expire by the vault's clock, so
 * theirs moves a ManualClock.
 */
function contract(name: string, make: () => Promise<Stores>, done: () => Promise<void>) {
  describe(`${name} stores`, () => {
    let stores: Stores;
    beforeEach(async () => {
      stores = await make();
    });
    afterEach(done);

    describe('TokenStore', () => {
      it('gives back every field of a saved token', async () => {
        const saved = token('YA0002', stores.later(3_600_000), { source: 'import', scope: '' });
        await stores.tokens.save(saved);
        expect(await stores.tokens.find('YA0002')).toEqual(saved);
      });

      it('finds nothing for an account with no token', async () => {
        expect(await stores.tokens.find('YA0009')).toBeNull();
      });

      it('drops a token at its expiry', async () => {
        await stores.tokens.save(token('YA0002', stores.later(300)));
        expect(await stores.tokens.find('YA0002')).not.toBeNull();
        await stores.pass(400);
        expect(await stores.tokens.find('YA0002')).toBeNull();
      });

      it('replaces an account’s token with a newer one', async () => {
        await stores.tokens.save(token('YA0002', stores.later(3_600_000)));
        const newer = token('YA0002', stores.later(7_200_000));
        await stores.tokens.save(newer);
        expect(await stores.tokens.find('YA0002')).toEqual(newer);
      });

      it('removes a token, once', async () => {
        await stores.tokens.save(token('YA0002', stores.later(3_600_000)));
        expect(await stores.tokens.remove('YA0002')).toBe(true);
        expect(await stores.tokens.find('YA0002')).toBeNull();
        expect(await stores.tokens.remove('YA0002')).toBe(false);
      });

      it('removes a token only if it is still the current one', async () => {
        const old = token('YA0002', stores.later(3_600_000));
        await stores.tokens.save(old);
        const newer = token('YA0002', stores.later(3_600_000));
        await stores.tokens.save(newer);
        expect(await stores.tokens.removeIfCurrent(old)).toBe(false);
        expect(await stores.tokens.find('YA0002')).toEqual(newer);
        expect(await stores.tokens.removeIfCurrent(newer)).toBe(true);
        expect(await stores.tokens.find('YA0002')).toBeNull();
      });

      it('lists every account that stored a token, with its times and whether a token is there, never the token, and by id alone', async () => {
        const first = token('YA0002', stores.later(3_600_000));
        const second = token('YA0003', stores.later(3_600_000), { source: 'import' });
        await stores.tokens.save(first);
        await stores.tokens.save(second);
        await stores.tokens.remove('YA0003');
        const accounts = (await stores.tokens.accounts()).sort((a, b) => a.clientId.localeCompare(b.clientId));
        expect(accounts).toEqual([
          { clientId: 'YA0002', issuedAt: first.issuedAt, expiresAt: first.expiresAt, source: 'login', present: true },
          { clientId: 'YA0003', issuedAt: second.issuedAt, expiresAt: second.expiresAt, source: 'import', present: false },
        ]);
        expect(JSON.stringify(accounts)).not.toContain(first.accessToken);
        expect((await stores.tokens.accountIds()).sort()).toEqual(['YA0002', 'YA0003']);
      });

      it('indexes expiries by time, drops an entry on removal and keeps the newest entry', async () => {
        const soon = stores.later(60_000);
        const later = stores.later(7_200_000);
        await stores.tokens.save(token('YA0002', soon));
        await stores.tokens.save(token('YA0003', later));
        await stores.tokens.save(token('YA0004', later));
        await stores.tokens.remove('YA0004');
        expect(await stores.tokens.expiringBetween(stores.now(), stores.later(3_600_000))).toEqual([{ clientId: 'YA0002', expiresAt: soon }]);
        expect((await stores.tokens.expiringBetween(stores.now(), later)).map((entry) => entry.clientId)).toEqual(['YA0002', 'YA0003']);

        await stores.tokens.forgetExpiry('YA0003', soon);
        expect((await stores.tokens.expiringBetween(stores.now(), later)).map((entry) => entry.clientId)).toEqual(['YA0002', 'YA0003']);
        await stores.tokens.forgetExpiry('YA0003', later);
        await stores.tokens.forgetExpiriesBefore(stores.later(120_000));
        expect(await stores.tokens.expiringBetween(stores.now(), later)).toEqual([]);
      });

      it('answers a ping', async () => {
        await expect(stores.tokens.ping()).resolves.toBeUndefined();
      });
    });

    describe('LoginStateStore', () => {
      // Taken by the browser that began them; test/login-state-contract.e2e-spec.ts covers the other browsers.
      const BROWSER = 'b'.repeat(64);
      const save = (hash: string, ms: number) => stores.states.saveState(hash, { browserHash: BROWSER }, ms);
      const take = async (hash: string) => (await stores.states.takeState(hash, BROWSER)).use;

      it('gives a state as fresh once, then as used', async () => {
        await save('h1', 600_000);
        expect(await take('h1')).toBe('fresh');
        expect(await take('h1')).toBe('used');
        expect(await take('h2')).toBe('unknown');
      });

      it('gives fresh to exactly one of many callers at once', async () => {
        await save('h3', 600_000);
        const uses = await Promise.all(Array.from({ length: 20 }, () => take('h3')));
        expect(uses.filter((use) => use === 'fresh')).toHaveLength(1);
        expect(uses.filter((use) => use === 'used')).toHaveLength(19);
      });

      it('forgets a state at its expiry', async () => {
        await save('h4', 300);
        await stores.pass(400);
        expect(await take('h4')).toBe('unknown');
      });

      it('lets exactly one of many callers claim a code', async () => {
        const claims = await Promise.all(Array.from({ length: 20 }, () => stores.states.claimCode('c1', 600_000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await stores.states.claimCode('c2', 600_000)).toBe(true);
      });
    });

    describe('CoordinationStore', () => {
      it('lets one of many callers acquire a key, until its time runs out', async () => {
        const acquired = await Promise.all(Array.from({ length: 20 }, () => stores.claims.acquire('k1', 300)));
        expect(acquired.filter(Boolean)).toHaveLength(1);
        await stores.pass(400);
        expect(await stores.claims.acquire('k1', 300)).toBe(true);
      });

      it('keeps a settled value, which nobody acquires', async () => {
        expect(await stores.claims.acquire('k2', 60_000)).toBe(true);
        await stores.claims.settle('k2', 'sent', 60_000);
        expect(await stores.claims.read('k2')).toBe('sent');
        expect(await stores.claims.acquire('k2', 60_000)).toBe(false);
        expect(await stores.claims.read('k3')).toBeNull();
      });

      it('releases a key still held, so that another caller takes it at once, and never a settled one', async () => {
        expect(await stores.claims.acquire('k4', 60_000)).toBe(true);
        await stores.claims.release('k4');
        expect(await stores.claims.read('k4')).toBeNull();
        expect(await stores.claims.acquire('k4', 60_000)).toBe(true);
        await stores.claims.settle('k4', 'failed', 60_000);
        await stores.claims.release('k4');
        expect(await stores.claims.read('k4')).toBe('failed');
      });

      it('adds members to a set in the step that settles a claim, and tells which members it lacks', async () => {
        // More than the thousand a Redis script hands to one command, in an order that is not the set's own.
        const members = Array.from({ length: 2_500 }, (_, index) => `ACC${String((index * 7) % 2_500).padStart(5, '0')}`);
        expect(await stores.claims.notIn('s1', members)).toEqual({ absent: members, size: 0 });
        await stores.claims.settleAdding('k5', 'sent', 's1', members.slice(0, 1_001), 60_000);
        expect(await stores.claims.read('k5')).toBe('sent');
        expect(await stores.claims.notIn('s1', members)).toEqual({ absent: members.slice(1_001), size: 1_001 });
        await stores.claims.settleAdding('k6', 'failed', 's1', members.slice(1_000), 60_000);
        expect(await stores.claims.notIn('s1', members)).toEqual({ absent: [], size: 2_500 });
        expect(await stores.claims.notIn('s1', [])).toEqual({ absent: [], size: 2_500 });
      });

      it('counts in a window from the first hit, and takes one back within it, never below zero nor making a counter', async () => {
        expect(await stores.claims.count('c1', 60_000)).toMatchObject({ count: 1 });
        expect(await stores.claims.count('c1', 60_000)).toMatchObject({ count: 2 });
        await stores.claims.uncount('c1');
        const taken = await stores.claims.peek('c1');
        expect(taken.count).toBe(1);
        // The window keeps its end.
        expect(taken.resetInMs).toBeGreaterThan(50_000);
        await stores.claims.uncount('c1');
        await stores.claims.uncount('c1');
        expect((await stores.claims.peek('c1')).count).toBe(0);
        await stores.claims.uncount('c2');
        expect(await stores.claims.peek('c2')).toEqual({ count: 0, resetInMs: 0 });
        await stores.claims.count('c3', 300);
        await stores.pass(400);
        await stores.claims.uncount('c3');
        expect(await stores.claims.count('c3', 300)).toMatchObject({ count: 1 });
      });

      it('forgets the set with its claim, when their time runs out', async () => {
        await stores.claims.settleAdding('k7', 'sent', 's2', ['YA0002', 'YA0003'], 300);
        expect(await stores.claims.notIn('s2', ['YA0002', 'YA0004'])).toEqual({ absent: ['YA0004'], size: 2 });
        await stores.pass(400);
        expect(await stores.claims.read('k7')).toBeNull();
        expect(await stores.claims.notIn('s2', ['YA0002', 'YA0004'])).toEqual({ absent: ['YA0002', 'YA0004'], size: 0 });
      });
    });
  });
}

const memoryClock = new ManualClock(BASE_TIME);
contract(
  'memory',
  async () => ({
    tokens: new MemoryTokenStore(memoryClock),
    states: new MemoryLoginStateStore(memoryClock),
    claims: new MemoryCoordinationStore(memoryClock),
    pass: async (ms) => memoryClock.advance(ms),
    later: (ms) => new Date(memoryClock.now().getTime() + ms),
    now: () => memoryClock.now(),
  }),
  async () => undefined,
);

describe('on a real redis-server', () => {
  let redis: TestRedis;
  let connection: RedisConnection | null = null;
  let prefixes = 0;

  beforeAll(async () => {
    redis = await TestRedis.start({ appendOnly: true });
  });

  afterAll(async () => {
    await redis.destroy();
  });

  contract(
    'Redis',
    async () => {
      prefixes += 1;
      const clock = new RunningClock(BASE_TIME);
      const made = redisStores(redis, `contract-${prefixes}:`, clock);
      connection = made.connection;
      await connection.onModuleInit();
      return {
        tokens: made.tokens,
        states: new RedisLoginStateStore(connection),
        claims: new RedisCoordinationStore(connection),
        pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        later: (ms) => new Date(clock.now().getTime() + ms),
        now: () => clock.now(),
      };
    },
    async () => {
      await connection?.onApplicationShutdown();
    },
  );

  describe('what the Redis adapter writes', () => {
    const key = randomBytes(32);
    const clock = new ManualClock(BASE_TIME);
    /** Far enough from the base that no test outlives it. */
    const tomorrow = new Date(BASE_TIME.getTime() + 24 * 3_600_000);
    let made: ReturnType<typeof redisStores>;
    const prefix = 'written:';

    beforeAll(async () => {
      made = redisStores(redis, prefix, clock, key);
      await made.connection.onModuleInit();
    });

    afterAll(async () => {
      await made.connection.onApplicationShutdown();
    });

    async function everything(): Promise<string> {
      const client = redis.client();
      try {
        const keys = await client.keys(`${prefix}*`);
        const values = await Promise.all(
          keys.map(async (name) => {
            const type = await client.type(name);
            if (type === 'string') return client.get(name);
            if (type === 'hash') return JSON.stringify(await client.hgetall(name));
            if (type === 'zset') return JSON.stringify(await client.zrange(name, 0, -1, 'WITHSCORES'));
            return type;
          }),
        );
        return [...keys, ...values].join('\n');
      } finally {
        client.disconnect();
      }
    }

    it('gives the token key the lifetime the vault’s clock leaves until the next midnight IST, whatever Redis’s clock says', async () => {
      const midnight = BASE_DAY.plus(1).at('00:00');
      await made.tokens.save(token('YA0002', midnight));
      const client = redis.client();
      try {
        const lifetime = Number(await client.pttl(`${prefix}token:YA0002`));
        const expected = midnight.getTime() - BASE_TIME.getTime();
        expect(lifetime).toBeLessThanOrEqual(expected);
        expect(lifetime).toBeGreaterThan(expected - 2000);
      } finally {
        client.disconnect();
      }
    });

    it('drops a token saved after its expiry by the vault’s clock at once, and it replaces the one before', async () => {
      await made.tokens.save(token('YA000A', tomorrow));
      await made.tokens.save(token('YA000A', new Date(BASE_TIME.getTime() - 1000)));
      expect(await made.tokens.find('YA000A')).toBeNull();
    });

    it('stores an envelope with the key id and a fresh IV, the fingerprint and expiry beside it, and the plain token nowhere', async () => {
      const saved = token('YA0003', tomorrow);
      await made.tokens.save(saved);
      const value = (await readRaw('YA0003'))!;
      // v2:<expiry ms>:<fingerprint>:<envelope>, the first two in the clear for the read script.
      const [, expiry, fingerprint, envelope] = /^v2:(\d+):([A-Za-z0-9_-]+):(\{.*\})$/.exec(value) ?? [];
      expect(Number(expiry)).toBe(saved.expiresAt.getTime());
      expect(fingerprint).toBe(saved.fingerprint);
      const first = JSON.parse(envelope);
      await made.tokens.save(saved);
      const second = JSON.parse((await readRaw('YA0003'))!.replace(/^v2:\d+:[A-Za-z0-9_-]+:/, ''));
      expect(Object.keys(first).sort()).toEqual(['ct', 'iv', 'kid', 'tag', 'v']);
      expect(first.kid).toBe(new TokenCipher(key).keyId);
      expect(Buffer.from(first.iv, 'base64').length).toBe(12);
      expect(second.iv).not.toBe(first.iv);
      const all = await everything();
      expect(all).not.toContain(saved.accessToken);
      expect(all).not.toContain(saved.accessToken.split('.')[0]);
    });

    it('refuses a value copied under another account, naming the key id and not the token', async () => {
      const saved = token('YA0004', tomorrow);
      await made.tokens.save(saved);
      const client = redis.client();
      try {
        await client.set(`${prefix}token:YA0005`, (await readRaw('YA0004'))!);
      } finally {
        client.disconnect();
      }
      const error = await made.tokens.find('YA0005').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VaultError);
      expect((error as VaultError).code).toBe('token_unreadable');
      expect((error as VaultError).message).toContain(new TokenCipher(key).keyId);
      expect((error as VaultError).message).not.toContain(saved.accessToken);
      expect(await made.tokens.find('YA0004')).toEqual(saved);
    });

    it('refuses a value sealed under another key the same way', async () => {
      const other = redisStores(redis, prefix, clock, randomBytes(32));
      await other.connection.onModuleInit();
      try {
        await other.tokens.save(token('YA0006', tomorrow));
        const error = await made.tokens.find('YA0006').catch((caught: unknown) => caught);
        expect((error as VaultError).code).toBe('token_unreadable');
      } finally {
        await other.connection.onApplicationShutdown();
      }
    });

    it('never lets a reader see half of a replacement', async () => {
      const written = new Set<string>();
      const first = token('YA0007', tomorrow);
      written.add(first.accessToken);
      await made.tokens.save(first);
      let writing = true;
      const writer = (async () => {
        for (let round = 0; round < 200; round += 1) {
          const next = token('YA0007', tomorrow, { scope: `round-${round}` });
          written.add(`${next.accessToken}|round-${round}`);
          written.add(next.accessToken);
          await made.tokens.save(next);
        }
        writing = false;
      })();
      const seen: Array<StoredToken | null> = [];
      while (writing) seen.push(...(await Promise.all(Array.from({ length: 10 }, () => made.tokens.find('YA0007')))));
      await writer;
      expect(seen.length).toBeGreaterThan(50);
      for (const read of seen) {
        expect(read).not.toBeNull();
        expect(written.has(read!.accessToken)).toBe(true);
        if (read!.scope !== 'orders holdings') expect(written.has(`${read!.accessToken}|${read!.scope}`)).toBe(true);
      }
    });

    it('keeps a login state for its lifetime, under a hash of the state', async () => {
      const states = new RedisLoginStateStore(made.connection);
      await states.saveState('f'.repeat(64), { browserHash: 'b'.repeat(64) }, 600_000);
      const client = redis.client();
      try {
        const lifetime = Number(await client.pttl(`${prefix}login-state:${'f'.repeat(64)}`));
        expect(lifetime).toBeLessThanOrEqual(600_000);
        expect(lifetime).toBeGreaterThan(598_000);
      } finally {
        client.disconnect();
      }
    });

    it('keeps tokens across a restart of an append-only Redis', async () => {
      const saved = token('YA0008', tomorrow);
      await made.tokens.save(saved);
      await redis.restart();
      await until(async () => (await made.tokens.find('YA0008').catch(() => null)) !== null);
      expect(await made.tokens.find('YA0008')).toEqual(saved);
    });

    it('fails at once with store_unavailable while Redis is down, without secrets, and recovers', async () => {
      const saved = token('YA0009', tomorrow);
      await made.tokens.save(saved);
      await redis.stop();
      try {
        const started = Date.now();
        const error = await made.tokens.find('YA0009').catch((caught: unknown) => caught);
        expect(Date.now() - started).toBeLessThan(2500);
        expect((error as VaultError).code).toBe('store_unavailable');
        expect((error as VaultError).status).toBe(503);
        expect((error as VaultError).message).not.toContain(key.toString('base64'));
        const write = await made.tokens.save(token('YA0009', tomorrow)).catch((caught: unknown) => caught);
        expect((write as VaultError).code).toBe('store_unavailable');
      } finally {
        await redis.restart();
      }
      await until(async () => (await made.tokens.find('YA0009').catch(() => null)) !== null);
      expect(await made.tokens.find('YA0009')).toEqual(saved);
    });

    async function readRaw(clientId: string): Promise<string | null> {
      const client = redis.client();
      try {
        return await client.get(`${prefix}token:${clientId}`);
      } finally {
        client.disconnect();
      }
    }
  });
});

