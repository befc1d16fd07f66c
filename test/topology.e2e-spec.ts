import { FakePocketful } from './support/fake-pocketful';
import { readToken } from './support/token-requests';
import { TestRedis } from './support/redis-server';
import { SpawnedReplica, SpawnedReplicas, untilReady } from './support/spawned-replicas';
import { until } from './support/until';

/** docker-compose's Redis asks for a password from .env; a hex one, as `openssl rand -hex 24` makes. */
const REDIS_PASSWORD = 'b3c1d2e4f5a6978812ab34cd56ef7890a1b2c3d4e5f60718';

/**
 * docker-compose's topology as processes: Redis with an append-only file and a password, and two `node dist/vault.js` replicas (the bundle the image runs)
 * configured from the environment as compose configures them.
 */
describe('two vault processes on one append-only Redis', () => {
  let fixture: SpawnedReplicas;
  let redis: TestRedis;
  let broker: FakePocketful;
  let replicas: SpawnedReplica[];

  beforeAll(async () => {
    fixture = await SpawnedReplicas.start({
      clients: [{ name: 'strategy-a', accounts: ['YA0002'] }],
      redis: { appendOnly: true, password: REDIS_PASSWORD },
    });
    ({ redis, broker, replicas } = fixture);
  }, 30_000);

  afterAll(() => fixture?.close());

  const read = (replica: SpawnedReplica) => readToken(replica, 'YA0002', 'strategy-a');

  it('completes on one replica a login begun on the other, and serves the token from both', async () => {
    const begin = await fetch(`${replicas[0].url}/pocketful/login`, { redirect: 'manual' });
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookie = begin.headers.get('set-cookie')!.split(';')[0];
    const code = broker.broker.issueCode('YA0002');
    const page = await fetch(`${replicas[1].url}/pocketful/callback?code=${encodeURIComponent(code)}&state=${state}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await read(replicas[0])).toBe(await read(replicas[1]));
  });

  it('exchanges a code once when both replicas receive its callback at the same moment', async () => {
    const begin = await fetch(`${replicas[0].url}/pocketful/login`, { redirect: 'manual' });
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookie = begin.headers.get('set-cookie')!.split(';')[0];
    const code = broker.broker.issueCode('YA0002');
    const before = broker.exchangedCodes.length;
    const query = `/pocketful/callback?code=${encodeURIComponent(code)}&state=${state}`;
    // Pocketful holds the exchange, so that the second callback comes while the first is still there: without it, a
    // slow replica may come after the login stored its token, and rightly hear "already completed" (200).
    broker.tokenDelayMs = 1000;
    try {
      const pages = await Promise.all(replicas.map((replica) => fetch(`${replica.url}${query}`, { headers: { cookie } })));
      expect(pages.map((page) => page.status).sort()).toEqual([200, 409]);
    } finally {
      broker.tokenDelayMs = 0;
    }
    expect(broker.exchangedCodes.slice(before)).toEqual([code]);
  });

  it('is not ready while Redis is down, and keeps the token across a Redis restart', async () => {
    const before = await read(replicas[0]);
    await redis.stop();
    for (const replica of replicas) {
      expect((await fetch(`${replica.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${replica.url}/health/live`)).status).toBe(200);
    }
    await redis.restart();
    for (const replica of replicas) await untilReady(replica);
    expect(await read(replicas[1])).toBe(before);
  });

  it('keeps a replica with the wrong Redis password out of service, saying why once and never the password', async () => {
    const wrong = await fixture.spawn({ REDIS_PASSWORD: 'not-the-password-0123' });
    try {
      await wrong.vault.waitFor(/WRONGPASS: check REDIS_PASSWORD/);
      const ready = () => wrong.fetch('/health/ready').then((response) => response.status, () => 0);
      await until(async () => (await ready()) !== 0, 10_000, 'the replica listening');
      expect(await ready()).toBe(503);
      expect((await wrong.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(503);
      expect(wrong.vault.stdout.match(/WRONGPASS/g)).toHaveLength(1);
      expect(`${wrong.vault.stdout}${wrong.vault.stderr}`).not.toMatch(/not-the-password-0123|b3c1d2e4f5a6978812ab34cd56ef7890/);
    } finally {
      await wrong.vault.stop();
    }
  }, 20_000);

  it('shuts each replica down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(replicas.map((replica) => replica.vault.stop()));
    expect(codes).toEqual([0, 0]);
  });
});
