import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../src/access/clients-file';
import { FakePocketful } from './support/fake-pocketful';
import { freePort } from './support/free-port';
import { TestRedis } from './support/redis-server';
import { SpawnedReplica, spawnReplicas, untilReady } from './support/spawned-replicas';
import { SpawnedVault } from './support/spawned-vault';
import { newEncryptionKey } from './support/test-vault';
import { until } from './support/until';
import { closeAll } from './support/close-all';


/** docker-compose's Redis asks for a password from .env; a hex one, as `openssl rand -hex 24` makes. */
const REDIS_PASSWORD = 'b3c1d2e4f5a6978812ab34cd56ef7890a1b2c3d4e5f60718';

/**
 * docker-compose's topology as processes: Redis with an append-only file and a password, and two `node dist/vault.js` replicas (the bundle the image runs)
 * configured from the environment as compose configures them.
 */
describe('two vault processes on one append-only Redis', () => {
  let redis: TestRedis;
  let broker: FakePocketful;
  let dir: string;
  let key: string;
  let variables: Record<string, string>;
  const replicas: SpawnedReplica[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start({ appendOnly: true, password: REDIS_PASSWORD });
    broker = await new FakePocketful().start();
    dir = mkdtempSync(join(tmpdir(), 'token-vault-topology-'));
    key = newServiceKey();
    writeClientsFile(join(dir, 'clients.json'), [clientFor('strategy-a', key, ['YA0002'], false)]);
    variables = {
      TOKEN_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_PASSWORD,
      VAULT_ENCRYPTION_KEY: newEncryptionKey(),
      ...broker.variables,
      VAULT_CLIENTS_FILE: join(dir, 'clients.json'),
      ADMIN_AUTH: 'none',
    };
    await spawnReplicas(replicas, 2, variables);
  }, 30_000);

  afterAll(async () => {
    await closeAll(
      () => Promise.all(replicas.map((replica) => replica.vault.stop())),
      () => broker.stop(),
      () => redis.destroy(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
  });

  const read = (url: string) => fetch(`${url}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } });

  it('completes on one replica a login begun on the other, and serves the token from both', async () => {
    const begin = await fetch(`${replicas[0].url}/pocketful/login`, { redirect: 'manual' });
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookie = begin.headers.get('set-cookie')!.split(';')[0];
    const code = broker.broker.issueCode('YA0002');
    const page = await fetch(`${replicas[1].url}/pocketful/callback?code=${encodeURIComponent(code)}&state=${state}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const fromFirst = (await (await read(replicas[0].url)).json()) as { accessToken: string };
    const fromSecond = (await (await read(replicas[1].url)).json()) as { accessToken: string };
    expect(fromFirst.accessToken).toBe(fromSecond.accessToken);
  });

  it('exchanges a code once when both replicas receive its callback at the same moment', async () => {
    const begin = await fetch(`${replicas[0].url}/pocketful/login`, { redirect: 'manual' });
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookie = begin.headers.get('set-cookie')!.split(';')[0];
    const code = broker.broker.issueCode('YA0002');
    const before = broker.exchangedCodes.length;
    const query = `/pocketful/callback?code=${encodeURIComponent(code)}&state=${state}`;
    const pages = await Promise.all(replicas.map((replica) => fetch(`${replica.url}${query}`, { headers: { cookie } })));
    expect(pages.map((page) => page.status).sort()).toEqual([200, 409]);
    expect(broker.exchangedCodes.slice(before)).toEqual([code]);
  });

  it('is not ready while Redis is down, and keeps the token across a Redis restart', async () => {
    const before = (await (await read(replicas[0].url)).json()) as { accessToken: string };
    await redis.stop();
    for (const replica of replicas) {
      expect((await fetch(`${replica.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${replica.url}/health/live`)).status).toBe(200);
    }
    await redis.restart();
    for (const replica of replicas) await untilReady(replica);
    const after = (await (await read(replicas[1].url)).json()) as { accessToken: string };
    expect(after.accessToken).toBe(before.accessToken);
  });

  it('keeps a replica with the wrong Redis password out of service, saying why once and never the password', async () => {
    const port = await freePort();
    const wrong = SpawnedVault.start('vault', { ...variables, REDIS_PASSWORD: 'not-the-password-0123', HOST: '127.0.0.1', PORT: String(port) });
    try {
      await wrong.waitFor(/WRONGPASS: check REDIS_PASSWORD/);
      const ready = () => fetch(`http://127.0.0.1:${port}/health/ready`).then((response) => response.status, () => 0);
      await until(async () => (await ready()) !== 0, 10_000, 'the replica listening');
      expect(await ready()).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(503);
      expect(wrong.stdout.match(/WRONGPASS/g)).toHaveLength(1);
      expect(`${wrong.stdout}${wrong.stderr}`).not.toMatch(/not-the-password-0123|b3c1d2e4f5a6978812ab34cd56ef7890/);
    } finally {
      await wrong.stop();
    }
  }, 20_000);

  it('shuts each replica down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(replicas.map((replica) => replica.vault.stop()));
    expect(codes).toEqual([0, 0]);
  });
});
