import type { IncomingMessage } from 'node:http';
import { ServiceClientRegistry } from '../src/access/service-client.registry';
import { Draining } from '../src/http/draining';
import { rateTracker } from '../src/rate-limit/rate-limit.guard';
import { rateWindow } from '../src/rate-limit/rate-window';
import { RedisConnection } from '../src/redis/redis-connection';
import { TokenReadLane } from '../src/tokens/token-read-lane';
import { ManualClock } from './support/manual-clock';
import { Scrape } from './support/prometheus-text';
import { TestCluster } from './support/test-cluster';
import { BASE_DAY } from './support/test-time';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';

/**
 * The token read's lane answers a plain read ahead of Fastify and Nest. What a caller, an operator and the audit see
 * must not tell the two apart: the same answer, the same metrics and log line, and a refusal made once, by the
 * framework. Which of the two answered is read off the lane's own decision (a spy on take()).
 */
describe('the token read lane', () => {
  let cluster: TestCluster;
  let vault: TestVault;
  let taken: jest.SpyInstance;
  const clock = new ManualClock(BASE_DAY.at('10:00'));

  beforeAll(async () => {
    cluster = await TestCluster.start({ replicas: 1, clock, env: { RATE_LIMIT_PER_MINUTE: '4' } });
    [vault] = cluster.replicas;
    await vault.login('YA0002', cluster.broker);
    taken = jest.spyOn(vault.app.get(TokenReadLane), 'take');
  });

  // Each test has a minute of the rate limit to itself.
  beforeEach(() => {
    clock.advance(60_000);
    taken.mockClear();
  });

  afterAll(async () => {
    taken?.mockRestore();
    await cluster?.close();
  });

  /** The lane's decision on each token request since the test began (it is asked of every request, scrapes too). */
  const decisions = () =>
    taken.mock.calls
      .map((call, index) => ({ url: (call[0] as IncomingMessage).url ?? '', taken: taken.mock.results[index].value as boolean }))
      .filter((decision) => decision.url.startsWith('/v1/tokens/'))
      .map((decision) => decision.taken);
  const samples = async () => new Scrape(await (await vault.fetch('/metrics', { as: 'ops' })).text());

  it("answers a plain read itself, with the framework's status, body and headers", async () => {
    const id = { 'x-request-id': 'lane-compare-1' };
    const lane = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: id });
    // A query sends the same read through the framework.
    const framework = await vault.fetch('/v1/tokens/YA0002?via=framework', { as: 'strategy-a', headers: id });
    expect(decisions()).toEqual([true, false]);

    expect([lane.status, framework.status]).toEqual([200, 200]);
    expect(await lane.json()).toEqual(await framework.json());
    const headersOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
    expect(headersOf(lane)).toEqual(headersOf(framework));
    expect(lane.headers.get('x-request-id')).toBe('lane-compare-1');
  });

  it('counts its reads in the request duration, the read outcomes and the audit trail, as the framework does', async () => {
    const before = await samples();
    for (let read = 0; read < 3; read += 1) expect((await vault.fetch('/v1/tokens/ya0002', { as: 'strategy-a' })).status).toBe(200);
    const after = await samples();
    expect(decisions()).toEqual([true, true, true]);

    const grew = (name: string, labels: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(grew('token_vault_http_request_duration_seconds_count', { route: '/v1/tokens/:clientId', method: 'GET', status: '200' })).toBe(3);
    expect(grew('token_vault_token_reads_total', { result: 'served' })).toBe(3);
    expect(grew('token_vault_token_reads_by_client_total', { client: 'strategy-a', result: 'served' })).toBe(3);

    const trail = await json(await vault.fetch('/v1/audit?client=strategy-a&limit=3', { as: 'ops' }));
    expect(trail.entries.map((entry: { action: string; result: string; account: string }) => [entry.action, entry.result, entry.account])).toEqual(
      Array(3).fill(['read', 'ok', 'YA0002']),
    );
  });

  it('writes the request line of each read it serves when logs are at debug', async () => {
    const lines = () =>
      vault.logs.lines
        .map((line) => JSON.parse(line) as { msg?: string; req?: { id?: string } })
        .filter((line) => line.msg === 'request completed' && line.req?.id === 'lane-log-1');
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: { 'x-request-id': 'lane-log-1' } })).status).toBe(200);
    expect(decisions()).toEqual([true]);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 20, req: { id: 'lane-log-1', method: 'GET', url: '/v1/tokens/YA0002', remoteAddress: '127.0.0.1' }, res: { statusCode: 200 } }),
    ]);
  });

  it('hands a refused read to the framework with what it found: counted once, refused and recorded once', async () => {
    const statuses: number[] = [];
    for (let read = 0; read < 5; read += 1) statuses.push((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // The lane took all five; the fifth's count came back over the limit, and the framework answered it from that.
    expect(decisions()).toEqual([true, true, true, true, true]);

    // Five reads counted five times: the refused one was not read again.
    const client = vault.app.get(ServiceClientRegistry).authenticate(vault.keys['strategy-a'])!;
    const tracker = rateTracker({ kind: 'service', client }, '127.0.0.1');
    const counter = vault.app.get(RedisConnection).keys.rateLimit(tracker, rateWindow(clock.now().getTime()).index);
    const redis = cluster.redis.client();
    try {
      expect(await redis.get(counter)).toBe('5');
    } finally {
      redis.disconnect();
    }
    const trail = await json(await vault.fetch('/v1/audit?client=strategy-a&limit=2', { as: 'ops' }));
    expect(trail.entries.map((entry: { action: string; result: string }) => `${entry.action} ${entry.result}`)).toEqual(['refused rate_limited', 'read ok']);
  });

  it('leaves to the framework what is not a plain read by a key that may read the account', async () => {
    const unknown = await vault.fetch('/v1/tokens/YA0002', { headers: { authorization: 'Bearer not-a-key' } });
    const outOfScope = await vault.fetch('/v1/tokens/ZZ0009', { as: 'strategy-a' });
    const badId = await vault.fetch('/v1/tokens/not%20an%20id', { as: 'strategy-a' });
    const missing = await vault.fetch('/v1/tokens/ZZ0009', { as: 'ops' });
    expect([unknown.status, outOfScope.status, badId.status, missing.status]).toEqual([401, 403, 400, 404]);
    expect(await json(missing)).toMatchObject({ error: 'token_not_found' });
    // The key check and the scope turn the first three away before any read; the missing token was read by the lane.
    expect(decisions()).toEqual([false, false, false, true]);
  });

  it('takes no path that another route answers: the read is the only GET one step under /v1/tokens/', async () => {
    // The OpenAPI document lists every route the vault registered (openapi.e2e-spec.ts holds it to that).
    const document = await json(await vault.fetch('/openapi.json'));
    const gets = Object.entries<Record<string, unknown>>(document.paths)
      .filter(([path, item]) => /^\/v1\/tokens\/[^/]+$/.test(path) && item.get !== undefined)
      .map(([path]) => path);
    expect(gets).toEqual(['/v1/tokens/{clientId}']);
  });

  // Last: the replica stays draining.
  it('closes the connection of a read it took before the replica began to drain, and leaves new ones to the framework', async () => {
    let answer: Promise<Response> | undefined;
    cluster.redis.pause();
    try {
      answer = vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' });
      await until(() => decisions().length === 1, 5000, 'the lane to take the read');
      vault.app.get(Draining).begin();
    } finally {
      cluster.redis.resume();
    }
    const held = await answer;
    expect(held.status).toBe(200);
    expect(held.headers.get('connection')).toBe('close');

    const after = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' });
    expect([after.status, after.headers.get('connection')]).toEqual([200, 'close']);
    expect(decisions()).toEqual([true, false]);
  });
});
