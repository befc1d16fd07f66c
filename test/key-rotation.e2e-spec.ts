import { join } from 'node:path';
import { keyIdOf } from '../src/crypto/token-cipher';
import { RedisKeys } from '../src/redis/redis-keys';
import { FakePocketful } from './support/fake-pocketful';
import { readToken } from './support/token-requests';
import { Ran, runToEnd } from './support/run-to-end';
import { TestRedis } from './support/redis-server';
import { json, newEncryptionKey, TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

const REENCRYPT = join(__dirname, '..', 'dist', 'cli', 'reencrypt.js');

/** `npm run reencrypt` as an operator runs it, in its own process. */
function reencrypt(env: Record<string, string>): Promise<Ran> {
  return runToEnd(process.execPath, [REENCRYPT], { cwd: __dirname, env: { PATH: process.env.PATH ?? '', ...env } });
}

describe('encryption key rotation', () => {
  const keyA = newEncryptionKey();
  const keyB = newEncryptionKey();
  const keyC = newEncryptionKey();
  const oldId = keyIdOf(Buffer.from(keyA, 'base64'));
  const PREFIX = 'rotation:';
  const KEYS = new RedisKeys(PREFIX);
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;

  beforeAll(async () => {
    // Each test starts the vaults it needs, each with its own keys.
    fixture = await VaultFixture.start({ env: { REDIS_KEY_PREFIX: PREFIX }, replicas: 0 });
    ({ redis, broker } = fixture);
  });

  afterAll(() => fixture?.close());

  /** A vault on the shared Redis with these keys only: VAULT_ENCRYPTION_KEY and VAULT_ENCRYPTION_KEYS as given. */
  const vaultWith = (keys: { VAULT_ENCRYPTION_KEY?: string; VAULT_ENCRYPTION_KEYS?: string }) =>
    fixture.another({ env: { VAULT_ENCRYPTION_KEY: undefined, ...keys } });

  /** What `npm run reencrypt` needs besides the keys: the vaults' Redis. */
  const redisEnv = () => ({ TOKEN_STORE: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX });

  async function kidOf(clientId: string): Promise<string> {
    const client = redis.client();
    try {
      // The envelope follows the expiry and fingerprint that stand in the clear ahead of it.
      return JSON.parse((await client.get(KEYS.token(clientId)))!.replace(/^v2:\d+:[A-Za-z0-9_-]*:/, '')).kid;
    } finally {
      client.disconnect();
    }
  }

  async function expiryOf(clientId: string): Promise<unknown> {
    const client = redis.client();
    try {
      return await client.call('PEXPIRETIME', KEYS.token(clientId));
    } finally {
      client.disconnect();
    }
  }

  const tokenOf = (vault: TestVault, clientId: string) => readToken(vault, clientId, 'ops');

  it('reads tokens sealed with the single key after a key list is put in front of it, and seals new ones with the first', async () => {
    const single = await vaultWith({ VAULT_ENCRYPTION_KEY: keyA });
    await single.login('YA0002', broker);
    await single.login('YA0003', broker);
    expect(await kidOf('YA0002')).toBe(oldId);

    const rotated = await vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB}`, VAULT_ENCRYPTION_KEY: keyA });
    expect(await tokenOf(rotated, 'YA0002')).toBe(await tokenOf(single, 'YA0002'));
    await rotated.login('YA0004', broker);
    expect(await kidOf('YA0004')).toBe('k2');
    const ready = await json(await rotated.fetch('/health/ready'));
    expect(ready.details.keys).toMatchObject({ status: 'up', sealing: 'k2', configured: ['k2', oldId], inUse: { [oldId]: 2, k2: 1 } });
  });

  it('re-seals every token under the new key while replicas serve, keeping expiries and newer logins', async () => {
    const serving = await vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB}`, VAULT_ENCRYPTION_KEY: keyA });
    const before = { YA0002: await tokenOf(serving, 'YA0002'), expiry: await expiryOf('YA0002') };
    // A lifetime to keep: PEXPIRETIME, in the future.
    expect(Number(before.expiry)).toBeGreaterThan(Date.now());
    const [run] = await Promise.all([
      reencrypt({ ...redisEnv(), VAULT_ENCRYPTION_KEYS: `k2:${keyB}`, VAULT_ENCRYPTION_KEY: keyA, SANDBOX: 'true' }),
      (async () => {
        for (let round = 0; round < 5; round += 1) await serving.login('YA0003', broker);
      })(),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sealing key k2: \d+ re-sealed, \d+ already current, \d+ changed meanwhile$/m);
    for (const clientId of ['YA0002', 'YA0003', 'YA0004']) expect(await kidOf(clientId)).toBe('k2');
    expect(await tokenOf(serving, 'YA0002')).toBe(before.YA0002);
    expect(await expiryOf('YA0002')).toBe(before.expiry);
    const lastLogin = broker.exchangedCodes.length;
    expect(lastLogin).toBeGreaterThan(0);
    expect(broker.broker.tradingInfo(`Bearer ${await tokenOf(serving, 'YA0003')}`).status).toBe(200);

    const newOnly = await vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB}` });
    expect(await tokenOf(newOnly, 'YA0002')).toBe(before.YA0002);
  });

  it('names the missing key when a token cannot be opened, reports it on readiness, and serves everything else', async () => {
    const serving = await vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB}` });
    await serving.login('YA0005', broker);
    const lost = await vaultWith({ VAULT_ENCRYPTION_KEYS: `k3:${keyC},k4:${newEncryptionKey()}` });
    // k2 is gone from this replica: every token sealed with it is unreadable here.
    const read = await lost.fetch('/v1/tokens/YA0002', { as: 'ops' });
    expect(read.status).toBe(500);
    const body = await json(read);
    expect(body.error).toBe('token_unreadable');
    expect(body.message).toContain('k2');
    expect(JSON.stringify(body)).not.toContain(keyB);

    const ready = await lost.fetch('/health/ready');
    expect(ready.status).toBe(200);
    const keys = (await json(ready)).details.keys;
    expect(keys.unreadable.k2.sort()).toEqual(['YA0002', 'YA0003', 'YA0004', 'YA0005']);

    expect((await lost.fetch('/v1/accounts', { as: 'ops' })).status).toBe(200);
    expect((await lost.login('YA0006', broker)).status).toBe(200);
    expect(await kidOf('YA0006')).toBe('k3');
    expect(broker.broker.tradingInfo(`Bearer ${await tokenOf(lost, 'YA0006')}`).status).toBe(200);
    const run = await reencrypt({ ...redisEnv(), VAULT_ENCRYPTION_KEYS: `k3:${keyC}`, SANDBOX: 'true' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/key k2 cannot open the tokens of .*YA0002/);
    expect(run.stdout).toMatch(/^sealing key k3: \d+ re-sealed, \d+ already current, \d+ changed meanwhile\n$/);
  });

  it('refuses a malformed key list at start, naming the variable and not the keys', async () => {
    await expect(vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB},k2:${keyC}` })).rejects.toThrow(/VAULT_ENCRYPTION_KEYS/);
    await expect(vaultWith({ VAULT_ENCRYPTION_KEYS: `k2:${keyB},bad id:${keyC}` })).rejects.not.toThrow(new RegExp(keyB.slice(0, 20).replace(/[+/]/g, '.')));
  });
});
