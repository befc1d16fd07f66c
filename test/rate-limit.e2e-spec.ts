import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { VaultFixture } from './support/vault-fixture';
import { BASE_DAY } from './support/test-time';
import { json, TestVault } from './support/test-vault';

/** The start of a minute, so that a test's requests all fall in one window of the rate limiter. */
const MINUTE = BASE_DAY.at('10:00');

describe('rate limits shared by the replicas', () => {
  let cluster: VaultFixture;
  let broker: FakePocketful;
  let replicas: TestVault[];
  const clock = new ManualClock(MINUTE);

  beforeAll(async () => {
    cluster = await VaultFixture.start({ clock, env: { RATE_LIMIT_PER_MINUTE: '5', AUTH_FAILURES_PER_MINUTE: '3' }, replicas: 2 });
    broker = cluster.broker;
    // A third replica started with a larger budget: it must not change what the others allow.
    replicas = [...cluster.replicas, await cluster.another({ env: { RATE_LIMIT_PER_MINUTE: '8' } })];
    await replicas[0].login('YA0002', broker);
  });

  /** Each test starts a minute of its own. */
  beforeEach(() => clock.advance(60_000));

  afterAll(() => cluster?.close());

  const read = (vault: TestVault, as = 'strategy-a') => vault.fetch('/v1/tokens/YA0002', { as });

  it('gives each service client one budget across replicas and routes, then 429 with Retry-After', async () => {
    const [a, b] = replicas;
    const statuses = [];
    for (const vault of [a, b, a, b, a]) statuses.push((await read(vault)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    clock.advance(15_000);
    const refused = await b.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(await json(refused)).toEqual({ error: 'rate_limited', message: 'more than 5 requests a minute; try again in 45 s' });
    expect((await read(a)).status).toBe(429);
    // Another client has a budget of its own.
    expect((await read(a, 'ops')).status).toBe(200);
    const audit = await json(await a.fetch('/v1/audit?client=strategy-a&limit=1', { as: 'ops' }));
    expect(audit.entries[0]).toMatchObject({ action: 'refused', result: 'rate_limited' });
  });

  it('serves again when the minute is over, however often the client retried while refused', async () => {
    const [a, b] = replicas;
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await read(a)).status).toBe(200);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      clock.advance(2_000);
      expect((await read(attempt % 2 ? a : b)).status).toBe(429);
    }
    clock.advance(20_000);
    expect((await read(b)).status).toBe(200);
  });

  it('says once across the replicas that a client went past its limit, and logs its refusals at debug', async () => {
    const [a, b] = replicas;
    type Line = { level: number; msg?: string; req?: { url?: string }; res?: { statusCode?: number } };
    // Every replica's log: the replicas share this process, and Nest's Logger writes to the last one started.
    const before = replicas.map((vault) => vault.logs.lines.length);
    const linesSince = () => replicas.flatMap((vault, index) => vault.logs.lines.slice(before[index]).map((line) => JSON.parse(line) as Line));
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await read(attempt % 2 ? a : b)).status).toBe(200);
    // Refused on both replicas, on the read route and another (the guard), over and over.
    for (let attempt = 0; attempt < 6; attempt += 1) {
      expect((await read(attempt % 2 ? a : b)).status).toBe(429);
      expect((await b.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' })).status).toBe(429);
    }
    const logged = linesSince();
    expect(logged.filter((line) => line.level === 40 && line.msg?.includes('went past'))).toEqual([
      expect.objectContaining({ msg: 'client:strategy-a went past 5 requests a minute; its further requests get 429 for the rest of the minute' }),
    ]);
    const refusals = logged.filter((line) => line.msg === 'request completed' && line.res?.statusCode === 429);
    expect(refusals).toHaveLength(12);
    expect(new Set(refusals.map((line) => line.level))).toEqual(new Set([20]));
  });

  it('lets no replica block a client for the others with a limit of its own', async () => {
    const [a, b, generous] = replicas;
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await read(a)).status).toBe(200);
    expect((await read(b)).status).toBe(429);
    // The generous replica counts into the same budget but answers by its own limit, and only for itself.
    expect((await read(generous)).status).toBe(200);
    expect((await read(generous)).status).toBe(200);
    expect((await read(a)).status).toBe(429);
  });

  it('exempts health and metrics', async () => {
    for (let round = 0; round < 12; round += 1) {
      expect((await replicas[0].fetch('/health/ready')).status).toBe(200);
      expect((await replicas[1].fetch('/metrics')).status).toBe(200);
    }
  });

  it('answers 429 to an address that keeps failing authentication, and still serves a valid key from it', async () => {
    const [a, b] = replicas;
    for (const vault of [a, b, a]) {
      expect((await vault.fetch('/v1/accounts', { headers: { authorization: 'Bearer tvk_guess' } })).status).toBe(401);
    }
    const slowed = await b.fetch('/v1/accounts', { headers: { authorization: 'Bearer tvk_guess' } });
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    // One stale key on a shared host must not lock out every strategy there at market open.
    expect((await a.fetch('/v1/accounts', { as: 'ops' })).status).toBe(200);
    expect((await read(b)).status).toBe(200);
  });

  it('lets requests through to a clear 503 while Redis is down, never a 500', async () => {
    const client = cluster.redis.client();
    await client.flushall();
    client.disconnect();
    await cluster.redis.stop();
    try {
      const response = await replicas[0].fetch('/v1/tokens/YA0002', { as: 'ops' });
      expect(response.status).toBe(503);
      expect((await json(response)).error).toBe('store_unavailable');
    } finally {
      await cluster.redis.restart();
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE=0', () => {
  let cluster: VaultFixture;

  beforeAll(async () => {
    cluster = await VaultFixture.start({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    await cluster.replicas[0].login('YA0002', cluster.broker);
  });

  afterAll(() => cluster?.close());

  it('turns the per-client limit off', async () => {
    const [vault] = cluster.replicas;
    const statuses = await Promise.all(Array.from({ length: 50 }, () => vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })));
    expect(statuses.every((response) => response.status === 200)).toBe(true);
    const client = cluster.redis.client();
    try {
      expect(await client.keys('*rate:*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
