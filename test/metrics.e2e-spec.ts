import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisKeys } from '../src/redis/redis-keys';
import { ACCOUNT_SERIES_MAX_AGE_MS } from '../src/tokens/token-metrics';
import { closeAll } from './support/close-all';
import { EventStreamClient } from './support/event-stream-client';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { Scrape } from './support/prometheus-text';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { BASE_DAY } from './support/test-time';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

const TEN_AM_IST = BASE_DAY.at('10:00');
const MIDNIGHT_AFTER = BASE_DAY.plus(1).at('00:00');
const READ_ROUTE = '/v1/tokens/:clientId';

const scrape = async (vault: TestVault): Promise<Scrape> => {
  const response = await vault.fetch('/metrics');
  expect(response.status).toBe(200);
  return new Scrape(await response.text());
};

/**
 * A trading day as /metrics tells it, against a vault on a real Redis (with a password) and a fake Pocketful on a
 * local port. The tests run in order, as the day does: a login in the morning, reads, refusals, failures, the
 * clock running out the tokens, Redis going away; each compares a scrape after what it did with one before.
 */
describe('/metrics over a day', () => {
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;
  let vault: TestVault;
  let inspector: Redis;
  const clock = new ManualClock(TEN_AM_IST);
  const redisPassword = randomBytes(16).toString('hex');
  /** Every token the vault handed out or was given, for the last test's search. */
  const tokensSeen: string[] = [];

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      redis: { password: redisPassword, appendOnly: true },
      clock,
      env: { ALLOWED_CLIENT_IDS: 'YA0002,YA0003', RATE_LIMIT_PER_MINUTE: '4' },
    });
    ({ redis, broker, vault } = fixture);
    inspector = redis.client();
    expect((await vault.login('YA0002', broker)).status).toBe(200);
  });

  afterAll(() => closeAll(() => inspector?.quit(), () => fixture?.close()));

  /** Each test in a minute of its own, so that the rate limit counts only its own requests. */
  beforeEach(() => clock.advance(60_000));

  const read = async (account: string, init: Parameters<TestVault['fetch']>[1]) => {
    const response = await vault.fetch(`/v1/tokens/${account}`, init);
    const body = await json(response);
    if (typeof body.accessToken === 'string') tokensSeen.push(body.accessToken);
    return response.status;
  };

  it('shows each expected and stored account with its token, and when that token expires, as a Unix time', async () => {
    const metrics = await scrape(vault);
    expect(metrics.series('token_vault_token_present')).toEqual({ 'account=YA0002': 1, 'account=YA0003': 0 });
    expect(metrics.series('token_vault_token_expiry_timestamp_seconds')).toEqual({ 'account=YA0002': MIDNIGHT_AFTER.getTime() / 1000 });
    expect(metrics.text).toContain('# TYPE token_vault_token_expiry_timestamp_seconds gauge\n');

    // An instant, not a count down: a rule takes `- time()` for the time left.
    clock.advance(30 * 60_000);
    const later = await scrape(vault);
    expect(later.value('token_vault_token_expiry_timestamp_seconds', { account: 'YA0002' })).toBe(MIDNIGHT_AFTER.getTime() / 1000);
  });

  it('says which build it runs, as token_vault_build_info 1 with the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const metrics = await scrape(vault);
    // The commit is the bundle's to know (test/startup.e2e-spec.ts); run from the sources, there is none to say.
    expect(metrics.series('token_vault_build_info')).toEqual({ [`version=${version}`]: 1 });
    expect(metrics.text).toContain('# TYPE token_vault_build_info gauge\n');
  });

  it('counts a login by result, and the two broker calls it made, with their time', async () => {
    const before = await scrape(vault);
    expect((await vault.login('YA0003', broker)).status).toBe(200);
    // The accounts' series stand for a few seconds after a scrape collects them; the counters move at once.
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_logins_total')).toEqual({ 'result=stored': 1 });
    expect(after.changeSince(before, 'token_vault_broker_requests_total')).toEqual({
      'broker=pocketful,endpoint=token,outcome=ok': 1,
      'broker=pocketful,endpoint=trading_info,outcome=ok': 1,
    });
    expect(after.changeSince(before, 'token_vault_broker_request_duration_seconds_count')).toEqual({
      'broker=pocketful,endpoint=token': 1,
      'broker=pocketful,endpoint=trading_info': 1,
    });
    expect(after.value('token_vault_token_present', { account: 'YA0003' })).toBe(1);
    expect(after.value('token_vault_token_expiry_timestamp_seconds', { account: 'YA0003' })).toBeGreaterThan(clock.now().getTime() / 1000);
  });

  it('counts reads by result and by service client, wherever they were refused, and times them by route', async () => {
    const before = await scrape(vault);
    expect(await read('YA0002', { as: 'strategy-a' })).toBe(200);
    expect(await read('YA0003', { as: 'strategy-a' })).toBe(403);
    expect(await read('YA0009', { as: 'ops' })).toBe(404);
    expect(await read('YA0002', { headers: { authorization: 'Bearer tvk_not-a-key-of-this-vault' } })).toBe(401);
    expect(await read('not*an*id', { as: 'ops' })).toBe(400);
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_token_reads_total')).toEqual({
      'result=served': 1,
      'result=forbidden': 1,
      'result=not_found': 1,
      'result=unauthorized': 1,
      'result=invalid_client_id': 1,
    });
    // The caller without a valid key has no name to count under.
    expect(after.changeSince(before, 'token_vault_token_reads_by_client_total')).toEqual({
      'client=strategy-a,result=served': 1,
      'client=strategy-a,result=forbidden': 1,
      'client=ops,result=not_found': 1,
      'client=ops,result=invalid_client_id': 1,
    });
    const timed = after.changeSince(before, 'token_vault_http_request_duration_seconds_count');
    for (const status of ['200', '400', '401', '403', '404']) expect(timed[`method=GET,route=${READ_ROUTE},status=${status}`]).toBe(1);
    // Only the served read and the missing token reached Redis, each as one call of the read script.
    expect(after.changeSince(before, 'token_vault_redis_command_duration_seconds_count')).toMatchObject({ 'command=script:vaultCountReadRecord': 2 });
    const servedTime = (metrics: Scrape) => metrics.value('token_vault_http_request_duration_seconds_sum', { route: READ_ROUTE, method: 'GET', status: '200' }) ?? 0;
    expect(servedTime(after)).toBeGreaterThan(servedTime(before));
  });

  it('times reads held by ?wait and event streams apart from the request latency, and counts the streams', async () => {
    const before = await scrape(vault);
    // YA0002's token is live: its held read answers at once. YA0009 has none: that read is held its whole second.
    expect(await read('YA0002?wait=5', { as: 'strategy-a' })).toBe(200);
    expect(await read('YA0009?wait=1', { as: 'ops' })).toBe(404);
    const stream = await EventStreamClient.open(vault, 'strategy-a');
    try {
      expect(stream.status).toBe(200);
      const open = await scrape(vault);
      expect(open.changeSince(before, 'token_vault_event_streams_total')).toEqual({ '': 1 });
      expect(open.value('token_vault_held_requests', { kind: 'events' })).toBe(1);
    } finally {
      await stream.close();
    }
    await until(async () => (await scrape(vault)).value('token_vault_held_requests', { kind: 'events' }) === 0, 5_000, 'the stream to end');
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_held_read_duration_seconds_count')).toEqual({ 'status=200': 1, 'status=404': 1 });
    const heldFor = (metrics: Scrape, status: string) => metrics.value('token_vault_held_read_duration_seconds_sum', { status }) ?? 0;
    expect(heldFor(after, '404') - heldFor(before, '404')).toBeGreaterThanOrEqual(1);
    // Held its second: past the 1 s bucket, within the 2.5 s one.
    const buckets = after.changeSince(before, 'token_vault_held_read_duration_seconds_bucket');
    expect(buckets).not.toHaveProperty(['le=1,status=404']);
    expect(buckets).toMatchObject({ 'le=2.5,status=404': 1 });
    const timed = Object.keys(after.changeSince(before, 'token_vault_http_request_duration_seconds_count'));
    expect(timed.filter((series) => series.includes('/v1/tokens') || series.includes('/v1/events'))).toEqual([]);
    expect(timed.length).toBeGreaterThan(0);
    // Reads all the same, counted by result.
    expect(after.changeSince(before, 'token_vault_token_reads_total')).toEqual({ 'result=served': 1, 'result=not_found': 1 });
  });

  it('counts a read past its client\'s budget as rate_limited', async () => {
    const before = await scrape(vault);
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt += 1) statuses.push(await read('YA0002', { as: 'strategy-a' }));
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_token_reads_total')).toEqual({ 'result=served': 4, 'result=rate_limited': 1 });
    expect(after.changeSince(before, 'token_vault_token_reads_by_client_total')).toEqual({
      'client=strategy-a,result=served': 4,
      'client=strategy-a,result=rate_limited': 1,
    });
  });

  it('counts a read the audit trail could not record as audit_failed', async () => {
    const audit = new RedisKeys(vault.config.storage.keyPrefix).audit();
    const before = await scrape(vault);
    // A string where the stream should be: Redis refuses the entry, and the read fails closed.
    await inspector.multi().del(audit).set(audit, 'not a stream').exec();
    try {
      expect(await read('YA0002', { as: 'strategy-a' })).toBe(503);
    } finally {
      await inspector.del(audit);
    }
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_token_reads_total')).toEqual({ 'result=audit_failed': 1 });
    expect(after.changeSince(before, 'token_vault_token_reads_by_client_total')).toEqual({ 'client=strategy-a,result=audit_failed': 1 });
  });

  it('counts a login and an import that Pocketful failed, by the error each ended with, and the broker calls by outcome', async () => {
    const before = await scrape(vault);
    broker.tokenReply = { status: 503, body: { error: 'temporarily_unavailable' } };
    broker.tradingInfoReply = { status: 401, body: { message: 'Request Unauthorised', status: 'error', error_code: 40000 } };
    try {
      expect((await vault.tryLogin('YA0002', broker)).status).toBe(502);
      const refused = await vault.fetch('/v1/tokens', { as: 'ops', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessToken: 'pasted-token-the-broker-refuses' }) });
      expect(refused.status).toBe(422);
    } finally {
      broker.tokenReply = null;
      broker.tradingInfoReply = null;
    }
    const pasted = broker.broker.mintToken('YA0003');
    tokensSeen.push(pasted, 'pasted-token-the-broker-refuses');
    const imported = await vault.fetch('/v1/tokens', { as: 'ops', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessToken: pasted }) });
    expect(imported.status).toBe(201);
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_logins_total')).toEqual({ 'result=broker_unavailable': 1 });
    expect(after.changeSince(before, 'token_vault_imports_total')).toEqual({ 'result=token_rejected': 1, 'result=stored': 1 });
    expect(after.changeSince(before, 'token_vault_broker_requests_total')).toEqual({
      'broker=pocketful,endpoint=token,outcome=unavailable': 1,
      'broker=pocketful,endpoint=trading_info,outcome=unauthorized': 1,
      'broker=pocketful,endpoint=trading_info,outcome=ok': 1,
    });
  });

  it('labels a request that matched no route as unmatched, never with the URL it asked for', async () => {
    const path = `/v1/nothing-here/${randomBytes(8).toString('hex')}`;
    const before = await scrape(vault);
    expect((await vault.fetch(path, { as: 'ops' })).status).toBe(404);
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'PUT' })).status).toBe(404);
    const after = await scrape(vault);

    expect(after.changeSince(before, 'token_vault_http_request_duration_seconds_count')).toMatchObject({
      'method=GET,route=unmatched,status=404': 1,
      'method=PUT,route=unmatched,status=404': 1,
    });
    expect(after.text).not.toContain(path.split('/').pop());
    expect(after.changeSince(before, 'token_vault_token_reads_total')).toEqual({});
  });

  it('drops each token from the gauges once the vault clock passes its expiry, and keeps the accounts expected', async () => {
    clock.set(new Date(MIDNIGHT_AFTER.getTime() + 1000));
    const metrics = await scrape(vault);
    expect(metrics.series('token_vault_token_expiry_timestamp_seconds')).toEqual({});
    expect(metrics.series('token_vault_token_present')).toEqual({ 'account=YA0002': 0, 'account=YA0003': 0 });
  });

  it('shows Redis down, and the reads it failed, until it is back', async () => {
    const before = await scrape(vault);
    expect(before.value('token_vault_redis_up')).toBe(1);
    await redis.stop();
    try {
      await until(async () => (await scrape(vault)).value('token_vault_redis_up') === 0, 10_000, 'token_vault_redis_up 0');
      expect(await read('YA0002', { as: 'strategy-a' })).toBe(503);
      // Past the age at which the accounts' series are collected again, from a store that does not answer.
      clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
      const down = await scrape(vault);
      expect(down.changeSince(before, 'token_vault_token_reads_total')).toEqual({ 'result=store_unavailable': 1 });
      // The read's script call was refused without being sent: no Redis latency to report.
      expect(down.changeSince(before, 'token_vault_redis_command_duration_seconds_count')).not.toHaveProperty(['command=script:vaultCountReadRecord']);
      // Nothing can be said of the tokens without the store: no series rather than a false 0.
      expect(down.series('token_vault_token_present')).toEqual({});
    } finally {
      await redis.restart();
    }
    await until(async () => (await scrape(vault)).value('token_vault_redis_up') === 1, 15_000, 'token_vault_redis_up 1');
  });

  it('never carries a token, a key, a password or a URL, in a label or anywhere else', async () => {
    expect((await vault.login('YA0002', broker)).status).toBe(200);
    expect(await read('YA0002', { as: 'strategy-a' })).toBe(200);
    const metrics = await scrape(vault);
    const secrets = [
      ...tokensSeen,
      ...Object.values(vault.keys),
      ...broker.exchangedCodes,
      fixture.variables.VAULT_ENCRYPTION_KEY,
      redisPassword,
      broker.options.appSecret,
      broker.url,
      redis.url,
      broker.options.redirectUrl,
    ];
    expect(tokensSeen.length).toBeGreaterThan(3);
    expect(secrets.filter((secret) => metrics.text.includes(secret))).toEqual([]);
    expect(metrics.labelValues().filter((value) => /:\/\/|\/v1\/tokens\/[A-Z]|bearer|tvk_/i.test(value))).toEqual([]);
    // Client names come from the clients file only: a stranger's key never names a series.
    const clients = new Set(metrics.samples.flatMap((sample) => (sample.labels.client === undefined ? [] : [sample.labels.client])));
    expect(clients).toEqual(new Set(['ops', 'strategy-a']));
  });
});

describe('/metrics with the memory store', () => {
  let fixture: VaultFixture;
  let broker: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ store: 'memory', clock: new ManualClock(TEN_AM_IST), env: { ALLOWED_CLIENT_IDS: 'YA0002,YA0003' } });
    ({ broker, vault } = fixture);
  });

  afterAll(() => fixture?.close());

  it('shows the tokens and the reads, and says nothing of a Redis it does not have', async () => {
    await vault.login('YA0003', broker);
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(404);
    const metrics = await scrape(vault);
    expect(metrics.series('token_vault_token_present')).toEqual({ 'account=YA0002': 0, 'account=YA0003': 1 });
    expect(metrics.value('token_vault_token_reads_total', { result: 'not_found' })).toBe(1);
    expect(metrics.names.has('token_vault_redis_up')).toBe(false);
    expect(metrics.names.has('token_vault_redis_command_duration_seconds_count')).toBe(false);
  });
});
