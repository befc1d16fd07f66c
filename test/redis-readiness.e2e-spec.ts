import Redis from 'ioredis';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

async function readiness(vault: TestVault): Promise<{ status: number; message: string | undefined }> {
  const response = await vault.fetch('/health/ready');
  const body = await json(response);
  return { status: response.status, message: body.details?.store?.message };
}

const read = async (vault: TestVault) => (await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status;

/**
 * A Redis that answers but must not be used: another database than REDIS_URL names, a read-only replica, a refused
 * password. Each leaves the vault up, not ready, saying why, and serving nothing rather than serving wrong.
 */
describe('a Redis the vault must not use', () => {
  const fixtures: VaultFixture[] = [];
  const servers: TestRedis[] = [];
  const clients: Redis[] = [];

  /** A vault and its Pocketful on `redis`, with these variables over the ones that point it there. */
  async function vaultOn(redis: TestRedis, env: Record<string, string> = {}): Promise<{ vault: TestVault; broker: FakePocketful }> {
    const fixture = await VaultFixture.startOn(redis, { env: { LOG_LEVEL: 'info', ...env } });
    fixtures.push(fixture);
    return fixture;
  }

  async function redisServer(options: { password?: string } = {}): Promise<TestRedis> {
    const redis = await TestRedis.start(options);
    servers.push(redis);
    return redis;
  }

  function clientOf(redis: TestRedis, db = 0): Redis {
    const client = redis.client();
    clients.push(client);
    if (db !== 0) void client.select(db);
    return client;
  }

  afterAll(async () => {
    await closeAll(
      ...fixtures.map((fixture) => () => fixture.close()),
      () => Promise.all(clients.map((client) => client.quit())),
      () => Promise.all(servers.map((server) => server.destroy())),
    );
  });

  describe('the database in REDIS_URL', () => {
    it('when Redis has no such database: not ready, saying why once, serving nothing and writing nothing to database 0', async () => {
      const redis = await redisServer();
      const { vault } = await vaultOn(redis, { REDIS_URL: `${redis.url}/99` });
      const ready = await readiness(vault);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(/^Redis refused SELECT 99 \(this Redis has fewer databases\): REDIS_URL names a database this Redis does not have/);
      expect(await read(vault)).toBe(503);
      expect((await vault.fetch('/v1/accounts', { as: 'ops' })).status).toBe(503);
      expect((await vault.fetch('/pocketful/login')).status).toBe(503);
      // A reconnection checks again, and finds the same: said once all the same.
      await redis.restart();
      await until(async () => (await readiness(vault)).message?.startsWith('Redis refused SELECT 99') === true, 5_000, 'the check after the restart');
      expect(await read(vault)).toBe(503);
      expect(vault.logs.lines.filter((line) => line.includes('Redis refused SELECT 99'))).toHaveLength(1);
      expect(await clientOf(redis).dbsize()).toBe(0);
    }, 20_000);

    it('when Redis has it: ready, and every key in that database, none in database 0', async () => {
      const redis = await redisServer();
      const { vault, broker } = await vaultOn(redis, { REDIS_URL: `${redis.url}/3` });
      expect((await readiness(vault)).status).toBe(200);
      expect((await vault.login('YA0002', broker)).status).toBe(200);
      expect(await read(vault)).toBe(200);
      expect(await clientOf(redis).dbsize()).toBe(0);
      expect(await clientOf(redis, 3).exists('token-vault:token:YA0002')).toBe(1);
    }, 20_000);
  });

  describe('a replica', () => {
    it('is not ready and serves nothing when REDIS_URL names a replica, and is ready once it is promoted', async () => {
      const master = await redisServer();
      const replica = await redisServer();
      await clientOf(replica).replicaof('127.0.0.1', master.port);
      const { vault } = await vaultOn(replica);
      await until(async () => (await readiness(vault)).status === 503, 5_000, 'readiness to fail');
      expect((await readiness(vault)).message).toBe('Redis cannot serve (READONLY: connected to a read-only replica)');
      expect(await read(vault)).toBe(503);
      await clientOf(replica).replicaof('NO', 'ONE');
      await until(async () => (await readiness(vault)).status === 200, 5_000, 'readiness once promoted');
      // No token is stored: a 404 is Redis serving.
      expect(await read(vault)).toBe(404);
    }, 20_000);

    it('stops serving, and is not ready, once its master is demoted under it', async () => {
      const master = await redisServer();
      const other = await redisServer();
      const { vault, broker } = await vaultOn(master);
      expect((await vault.login('YA0002', broker)).status).toBe(200);
      expect(await read(vault)).toBe(200);
      await clientOf(master).replicaof('127.0.0.1', other.port);
      await until(async () => (await readiness(vault)).status === 503, 5_000, 'readiness to fail after the demotion');
      expect((await readiness(vault)).message).toMatch(/read-only replica/);
      expect(await read(vault)).toBe(503);
      expect(vault.logs.text).toContain(`Redis at 127.0.0.1:${master.port} cannot serve (READONLY`);
    }, 20_000);
  });

  describe('a password Redis refuses', () => {
    it('is not ready, saying so without the password, and serves nothing', async () => {
      const redis = await redisServer({ password: 'the-right-password-0123456789' });
      const { vault } = await vaultOn(redis, { REDIS_PASSWORD: 'a-wrong-password-9876543210' });
      const ready = await readiness(vault);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(/WRONGPASS: check REDIS_PASSWORD/);
      expect(await read(vault)).toBe(503);
      expect(vault.logs.text).toContain(`Redis at 127.0.0.1:${redis.port} refused the password (WRONGPASS: check REDIS_PASSWORD or the password in REDIS_URL)`);
      expect(vault.logs.text).not.toMatch(/unreachable/);
      expect(vault.logs.leaked(['a-wrong-password-9876543210', 'the-right-password-0123456789'])).toEqual([]);
    }, 20_000);
  });
});
