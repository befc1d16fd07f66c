import { FakePocketful } from './support/fake-pocketful';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

describe('health', () => {
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ redis: { appendOnly: true } });
    ({ redis, broker, vault } = fixture);
    await vault.login('YA0002', broker);
  });

  afterAll(() => fixture?.close());

  it('is live and ready while Redis answers', async () => {
    const live = await vault.fetch('/health/live');
    const ready = await vault.fetch('/health/ready');
    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect((await json(ready)).details.store).toMatchObject({ status: 'up', kind: 'redis' });
    // Probes come every few seconds: they are answered, not logged.
    expect(vault.logs.text).not.toMatch(/"url":"\/health\//);
    expect(vault.logs.text).toMatch(/"url":"\/pocketful\/callback/);
  });

  it('stays live but answers 503 on ready, promptly, while Redis is down; token reads get 503 store_unavailable', async () => {
    await redis.stop();
    try {
      const started = Date.now();
      const ready = await vault.fetch('/health/ready');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(ready.status).toBe(503);
      const body = await json(ready);
      expect(body.error).toBe('not_ready');
      expect(body.details.store.status).toBe('down');
      expect((await vault.fetch('/health/live')).status).toBe(200);
      const read = await vault.fetch('/v1/tokens/YA0002', { as: 'ops' });
      expect(read.status).toBe(503);
      expect((await json(read)).error).toBe('store_unavailable');
    } finally {
      await redis.restart();
    }
  });

  it('is ready again once Redis is back, with the token kept by append-only persistence', async () => {
    await until(async () => (await vault.fetch('/health/ready')).status === 200);
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(200);
  });

  it('with the memory store, is always ready', async () => {
    const memoryVault = await TestVault.start({ broker });
    try {
      const ready = await memoryVault.fetch('/health/ready');
      expect(ready.status).toBe(200);
      expect((await json(ready)).details.store.kind).toBe('memory');
    } finally {
      await memoryVault.close();
    }
  });
});
