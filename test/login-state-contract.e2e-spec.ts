import { createHash, randomBytes } from 'node:crypto';
import { LoginStateStore, StateTake } from '../src/login/login-state.store';
import { MemoryLoginStateStore } from '../src/login/memory-login-state.store';
import { closeAll } from './support/close-all';
import { ManualClock } from './support/manual-clock';
import { VaultFixture } from './support/vault-fixture';
import { BASE_TIME } from './support/test-time';

const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const fresh = () => hash(randomBytes(16).toString('hex'));
const VERIFIER = 'v'.repeat(43);

interface Subject {
  /** Two handles on one store: two replicas for Redis, the same object for memory. */
  stores: [LoginStateStore, LoginStateStore];
  pass(ms: number): Promise<void>;
}

/** What the login relies on from either adapter: a state is taken once, and only by the browser that began it. */
function contract(name: string, subject: () => Subject) {
  describe(`the ${name} login state store`, () => {
    it('gives the verifier to the browser that began the login, once', async () => {
      const [store] = subject().stores;
      const [state, browser] = [fresh(), fresh()];
      await store.saveState(state, { browserHash: browser, verifier: VERIFIER }, 600_000);
      expect(await store.takeState(state, browser)).toEqual({ use: 'fresh', verifier: VERIFIER });
      expect(await store.takeState(state, browser)).toEqual({ use: 'used' });
    });

    it('has no verifier to give when none was saved', async () => {
      const [store] = subject().stores;
      const [state, browser] = [fresh(), fresh()];
      await store.saveState(state, { browserHash: browser }, 600_000);
      expect(await store.takeState(state, browser)).toEqual({ use: 'fresh', verifier: undefined });
    });

    it('refuses another browser, or none, and leaves the state pending for its own', async () => {
      const [store] = subject().stores;
      const [state, browser] = [fresh(), fresh()];
      await store.saveState(state, { browserHash: browser, verifier: VERIFIER }, 600_000);
      expect(await store.takeState(state, fresh())).toEqual({ use: 'mismatch' });
      expect(await store.takeState(state, '')).toEqual({ use: 'mismatch' });
      expect(await store.takeState(state, browser.slice(0, 32))).toEqual({ use: 'mismatch' });
      expect(await store.takeState(state, browser)).toEqual({ use: 'fresh', verifier: VERIFIER });
      // Once used, it is used for everyone: a reload learns that, whatever cookie it carries.
      expect(await store.takeState(state, fresh())).toEqual({ use: 'used' });
    });

    it('tells the browser whose login stored a token, on either replica, which account and until when; others hear used', async () => {
      const [one, other] = subject().stores;
      const [state, browser] = [fresh(), fresh()];
      const expiresAt = new Date(BASE_TIME.getTime() + 3_600_000);
      await one.saveState(state, { browserHash: browser }, 600_000);
      expect(await one.takeState(state, browser)).toEqual({ use: 'fresh', verifier: undefined });
      await one.completeState(state, browser, 'zerodha:AB1234', expiresAt);
      expect(await other.takeState(state, browser)).toEqual({ use: 'done', account: 'zerodha:AB1234', expiresAt });
      expect(await other.takeState(state, fresh())).toEqual({ use: 'used' });
      expect(await other.takeState(state, '')).toEqual({ use: 'used' });
    });

    it('does not bring back a state that lapsed before its login was recorded done', async () => {
      const { stores, pass } = subject();
      const [state, browser] = [fresh(), fresh()];
      await stores[0].saveState(state, { browserHash: browser }, 1_000);
      await stores[0].takeState(state, browser);
      await pass(1_100);
      await stores[0].completeState(state, browser, 'YA0002', new Date(BASE_TIME.getTime() + 60_000));
      expect(await stores[1].takeState(state, browser)).toEqual({ use: 'unknown' });
    });

    it('knows no state it was not given, and forgets one at its expiry', async () => {
      const { stores, pass } = subject();
      const [state, browser] = [fresh(), fresh()];
      expect(await stores[0].takeState(state, browser)).toEqual({ use: 'unknown' });
      await stores[0].saveState(state, { browserHash: browser }, 300);
      await pass(400);
      expect(await stores[1].takeState(state, browser)).toEqual({ use: 'unknown' });
    });

    it('gives fresh to exactly one caller of the right browser among many at once, wherever they arrive', async () => {
      const { stores } = subject();
      const [state, browser, other] = [fresh(), fresh(), fresh()];
      await stores[0].saveState(state, { browserHash: browser, verifier: VERIFIER }, 600_000);
      const takes: StateTake[] = await Promise.all(
        Array.from({ length: 30 }, (_, index) => stores[index % 2].takeState(state, index % 3 === 0 ? other : browser)),
      );
      expect(takes.filter((take) => take.use === 'fresh')).toEqual([{ use: 'fresh', verifier: VERIFIER }]);
      expect(takes.filter((take) => take.use === 'mismatch' || take.use === 'used')).toHaveLength(29);
    });
  });
}

const clock = new ManualClock(BASE_TIME);
const memory = new MemoryLoginStateStore(clock);
contract('memory', () => ({ stores: [memory, memory], pass: async (ms) => clock.advance(ms) }));

describe('on Redis', () => {
  let cluster: VaultFixture;

  beforeAll(async () => {
    cluster = await VaultFixture.start({ replicas: 2 });
  });

  afterAll(() => closeAll(() => cluster?.close()));

  contract('Redis', () => ({
    stores: [cluster.replicas[0].app.get(LoginStateStore), cluster.replicas[1].app.get(LoginStateStore)],
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));

  describe('what the Redis adapter writes', () => {
    const key = (state: string) => `token-vault:login-state:${state}`;

    it('the browser’s hash and the verifier while pending, then `used` and `done` with the browser’s hash and no verifier, under the state’s hash, for the state’s lifetime', async () => {
      const store = cluster.replicas[0].app.get(LoginStateStore);
      const [state, browser] = [fresh(), fresh()];
      await store.saveState(state, { browserHash: browser, verifier: VERIFIER }, 600_000);
      const client = cluster.redis.client();
      try {
        expect(await client.get(key(state))).toBe(`pending:${browser}:${VERIFIER}`);
        await store.takeState(state, browser);
        expect(await client.get(key(state))).toBe(`used:${browser}`);
        await store.completeState(state, browser, 'zerodha:AB1234', new Date(1_800_000_000_000));
        expect(await client.get(key(state))).toBe(`done:${browser}:1800000000000:zerodha:AB1234`);
        const lifetime = Number(await client.pttl(key(state)));
        expect(lifetime).toBeGreaterThan(590_000);
        expect(lifetime).toBeLessThanOrEqual(600_000);
      } finally {
        client.disconnect();
      }
    });

    it('reads a bare `used`, as the previous version wrote it, as used by anyone', async () => {
      const store = cluster.replicas[0].app.get(LoginStateStore);
      const state = fresh();
      const client = cluster.redis.client();
      try {
        await client.set(key(state), 'used', 'PX', 60_000);
        expect(await store.takeState(state, fresh())).toEqual({ use: 'used' });
      } finally {
        client.disconnect();
      }
    });

    it('reads a state written before states were bound to a browser as unknown: it can never be completed', async () => {
      const store = cluster.replicas[0].app.get(LoginStateStore);
      const state = fresh();
      const client = cluster.redis.client();
      try {
        await client.set(key(state), 'pending', 'PX', 600_000);
        expect(await store.takeState(state, fresh())).toEqual({ use: 'unknown' });
        expect(await client.get(key(state))).toBe('pending');
      } finally {
        client.disconnect();
      }
    });
  });
});
