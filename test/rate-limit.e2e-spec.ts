import { FakePocketful } from './support/fake-pocketful';
import { json, TestVault } from './support/test-vault';
import { TestCluster } from './support/test-cluster';

describe('rate limits shared by the replicas', () => {
  let cluster: TestCluster;
  let broker: FakePocketful;
  let replicas: TestVault[];

  beforeAll(async () => {
    cluster = await TestCluster.start({ env: { RATE_LIMIT_PER_MINUTE: '5', AUTH_FAILURES_PER_MINUTE: '3' } });
    ({ broker, replicas } = cluster);
    await replicas[0].login('YA0002', broker);
  });

  afterAll(() => cluster?.close());

  it('gives each service client one budget across replicas and routes, then 429 with Retry-After', async () => {
    const [a, b] = replicas;
    const statuses = [];
    for (const vault of [a, b, a, b, a]) statuses.push((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await b.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await json(refused)).toEqual({ error: 'rate_limited', message: expect.stringContaining('try again in') });
    // Another client has a budget of its own.
    expect((await a.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(200);
    const audit = await json(await a.fetch('/v1/audit?client=strategy-a&limit=1', { as: 'ops' }));
    expect(audit.entries[0]).toMatchObject({ action: 'refused', result: 'rate_limited' });
  });

  it('exempts health and metrics', async () => {
    for (let round = 0; round < 12; round += 1) {
      expect((await replicas[0].fetch('/health/ready')).status).toBe(200);
      expect((await replicas[1].fetch('/metrics')).status).toBe(200);
    }
  });

  it('refuses an address that keeps failing authentication, whatever key it tries next', async () => {
    const [a, b] = replicas;
    for (const vault of [a, b, a]) {
      expect((await vault.fetch('/v1/accounts', { headers: { authorization: 'Bearer tvk_guess' } })).status).toBe(401);
    }
    const slowed = await b.fetch('/v1/accounts', { headers: { authorization: 'Bearer tvk_guess' } });
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    // Were a right key let through now, guessing would go on at full speed: it waits like the rest.
    expect((await a.fetch('/v1/accounts', { as: 'ops' })).status).toBe(429);
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
