import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../src/access/clients-file';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { EventStreamClient } from './support/event-stream-client';
import { FakeZerodha } from './support/fake-zerodha';
import { PreviousRelease, unpackPreviousRelease } from './support/previous-release';
import { Scrape } from './support/prometheus-text';
import { SpawnedReplica, SpawnedReplicas } from './support/spawned-replicas';
import { json } from './support/test-vault';
import { expiryTimeFarFromNow } from './support/test-time';
import { importToken, readTokenRecord } from './support/token-requests';
import { until } from './support/until';

/** REDIS_KEY_PREFIX's default, which both versions run with here. */
const PREFIX = 'token-vault:';
const SCAN_MS = 200;

/** The Redis key names a bundle writes, each `${…}` in them as `*`: RedisKeys' templates, as the bundle holds them. */
function keyNames(bundlePath: string): string[] {
  const code = readFileSync(bundlePath, 'utf8');
  return [...new Set([...code.matchAll(/`\$\{this\.prefix\}([a-z][^`]*)`/g)].map((match) => match[1].replace(/\$\{[^}]*\}/g, '*')))].sort();
}

/**
 * A rolling upgrade as it happens: one replica still runs the previous release (its own bundle, the fixture made by
 * scripts/previous-release.mjs), one runs today's dist/vault.js, on one redis-server, one encryption key, one clients
 * file and one Pocketful; then the previous release stops. Neither may lose, hide or break what the other stored.
 */
describe('a rolling upgrade: the previous release and today’s side by side on one Redis', () => {
  let previous: PreviousRelease | undefined;
  let kite: FakeZerodha | undefined;
  let webhook: AlertReceiver | undefined;
  let fixture: SpawnedReplicas | undefined;
  let old: SpawnedReplica;
  let current: SpawnedReplica;
  /** Each account's token as last stored, through either version. */
  const stored: Record<string, string> = {};

  beforeAll(async () => {
    previous = unpackPreviousRelease();
    kite = await new FakeZerodha().start();
    webhook = await new AlertReceiver().start();
    // Every token dies at one instant some 12 hours ahead, whatever the hour the test runs at, and is due its
    // expiring alert at once: both versions scan for it every SCAN_MS.
    const cutoff = expiryTimeFarFromNow();
    fixture = await SpawnedReplicas.start({
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'desk', accounts: ['YA0002', 'YA0003'] },
      ],
      env: {
        TOKEN_EXPIRY_TIME: cutoff,
        ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
        ALERT_BEFORE_EXPIRY: '13h',
        ALERT_SCAN_INTERVAL: `${SCAN_MS}ms`,
        MISSING_TOKEN_CHECK_AT: 'off',
      },
      replicas: [
        { bundle: previous.bundle },
        // Zerodha is on in today's replica only: the previous release knows no other broker.
        { env: { ...kite.variables, ZERODHA_TOKEN_EXPIRY_TIME: cutoff, PREOPEN_CHECK_AT: 'off' } },
      ],
    });
    [old, current] = fixture.replicas;
  }, 30_000);

  afterAll(() => closeAll(() => fixture?.close(), () => kite?.stop(), () => webhook?.stop(), () => previous?.remove()));

  const pocketful = () => fixture!.broker;

  /** /pocketful/login at `replica`: the login page's URL and the cookie the browser keeps. */
  async function beginLogin(replica: SpawnedReplica): Promise<{ location: URL; cookie: string }> {
    const begun = await replica.fetch('/pocketful/login');
    expect(begun.status).toBe(302);
    return { location: new URL(begun.headers.get('location')!), cookie: begun.headers.get('set-cookie')!.split(';')[0] };
  }

  /** The person approves at Pocketful as `account` and the browser comes back to `replica`; the account's new token. */
  async function finishLogin(replica: SpawnedReplica, begun: { location: URL; cookie: string }, account: string): Promise<string> {
    const back = pocketful().approve(begun.location, account);
    const page = await replica.fetch(`${back.pathname}${back.search}`, { headers: { cookie: begun.cookie } });
    expect({ status: page.status, code: /id="code">([^<]*)</.exec(await page.text())?.[1] }).toEqual({ status: 200, code: undefined });
    stored[account] = (await readTokenRecord(replica, account, 'ops')).accessToken;
    return stored[account];
  }

  const login = async (replica: SpawnedReplica, account: string) => finishLogin(replica, await beginLogin(replica), account);

  it('names every Redis key the previous release uses as today’s code does', () => {
    const before = keyNames(previous!.bundle);
    expect(before).toEqual(expect.arrayContaining(['token:*', 'accounts', 'expiries', 'events', 'claim:alert:*:*', 'claim:report-check:*']));
    const missing = before.filter((name) => !keyNames(join(__dirname, '..', 'dist', 'vault.js')).includes(name));
    expect(missing).toEqual([]);
  });

  it('serves through today’s replica a Pocketful login made through the previous release, under the bare id', async () => {
    const token = await login(old, 'YA0002');
    const redis = fixture!.redis.client();
    try {
      expect(await redis.keys(`${PREFIX}token:*`)).toEqual([`${PREFIX}token:YA0002`]);
    } finally {
      redis.disconnect();
    }
    for (const path of ['YA0002', 'pocketful/YA0002', 'pocketful:YA0002']) {
      expect(await readTokenRecord(current, path, 'desk')).toMatchObject({ clientId: 'YA0002', broker: 'pocketful', accessToken: token });
    }
    const before = await readTokenRecord(old, 'YA0002', 'desk');
    expect(before).toMatchObject({ clientId: 'YA0002', accessToken: token });
    expect(before).not.toHaveProperty('broker');
  });

  it('serves through the previous release a Pocketful login made through today’s', async () => {
    const token = await login(current, 'YA0003');
    expect(await readTokenRecord(old, 'YA0003', 'desk')).toMatchObject({ clientId: 'YA0003', accessToken: token });
  });

  it('completes a login begun on one version at the other, either way', async () => {
    const fromOld = await finishLogin(current, await beginLogin(old), 'YA0002');
    const fromCurrent = await finishLogin(old, await beginLogin(current), 'YA0003');
    for (const replica of [old, current]) {
      expect((await readTokenRecord(replica, 'YA0002', 'desk')).accessToken).toBe(fromOld);
      expect((await readTokenRecord(replica, 'YA0003', 'desk')).accessToken).toBe(fromCurrent);
    }
  });

  it('answers waiting reads and event streams on each version with what the other stored or removed', async () => {
    const streams = await Promise.all([old, current].map((replica) => EventStreamClient.open(replica, 'ops')));
    try {
      expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
      const heldWaits = async (replica: SpawnedReplica) =>
        new Scrape(await (await replica.fetch('/metrics')).text()).value('token_vault_held_requests', { kind: 'wait' });
      for (const [remover, waiter, storer, account] of [
        [current, old, current, 'YA0002'],
        [old, current, old, 'YA0003'],
      ] as const) {
        expect((await remover.fetch(`/v1/tokens/${account}`, { as: 'ops', method: 'DELETE' })).status).toBe(204);
        expect((await waiter.fetch(`/v1/tokens/${account}`, { as: 'desk' })).status).toBe(404);
        const waiting = waiter.fetch(`/v1/tokens/${account}?wait=20`, { as: 'desk' });
        // Awaited below; a test that fails first leaves it to be cut off by the replica's stop.
        waiting.catch(() => undefined);
        await until(async () => (await heldWaits(waiter)) === 1, 5000, `a read held on ${waiter === old ? 'the previous release' : 'today’s'}`);
        const started = Date.now();
        const token = await login(storer, account);
        const answer = await waiting;
        expect(answer.status).toBe(200);
        expect((await json(answer)).accessToken).toBe(token);
        // Told by the other version's event, not found at the wait's end.
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      for (const stream of streams) {
        for (const account of ['YA0002', 'YA0003']) {
          await stream.next((event) => event.event === 'token.removed' && event.data.clientId === account && event.data.reason === 'deleted');
          await stream.next((event) => event.event === 'token.stored' && event.data.clientId === account);
        }
      }
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  }, 60_000);

  it('shares a check of a token between the versions: Pocketful is asked once', async () => {
    const askedPocketful = () => pocketful().calls.filter((call) => call.path === '/api/v1/user/trading_info').length;
    const report = (replica: SpawnedReplica, account: string) => replica.fetch(`/v1/tokens/${account}/report-invalid`, { as: 'desk', method: 'POST' });

    let asked = askedPocketful();
    expect(await json(await report(old, 'YA0002'))).toEqual({ clientId: 'YA0002', verdict: 'live', checked: true, nextCheckIn: 30 });
    expect(askedPocketful()).toBe(asked + 1);
    const verified = await current.fetch('/v1/tokens/YA0002/verify', { as: 'desk', method: 'POST' });
    expect(verified.status).toBe(200);
    expect(await json(verified)).toMatchObject({ clientId: 'YA0002', valid: true });
    expect(askedPocketful()).toBe(asked + 1);

    // The other way, today's check is shared too, but the previous release reads only a bare `live` or `invalid`:
    // today's `live:<ms>` is, to it, a check still under way, for the claim's 30 s.
    asked = askedPocketful();
    expect(await json(await current.fetch('/v1/tokens/YA0003/verify', { as: 'desk', method: 'POST' }))).toMatchObject({ clientId: 'YA0003', valid: true });
    expect(askedPocketful()).toBe(asked + 1);
    const shared = await report(old, 'YA0003');
    expect(shared.status).toBe(200);
    expect(await json(shared)).toEqual({ clientId: 'YA0003', verdict: 'checking', checked: false, nextCheckIn: 30 });
    expect(askedPocketful()).toBe(asked + 1);
    for (const replica of [old, current]) expect((await readTokenRecord(replica, 'YA0003', 'desk')).accessToken).toBe(stored.YA0003);
  });

  it('keeps the previous release serving, listing and healthy beside a Zerodha token stored through today’s', async () => {
    const stream = await EventStreamClient.open(old, 'ops');
    try {
      const page = await kite!.loginAt(current, 'AB1234');
      expect(page.status).toBe(200);
      stored['zerodha:AB1234'] = (await readTokenRecord(current, 'zerodha/AB1234', 'ops')).accessToken;
      await stream.next((event) => event.event === 'token.stored' && event.data.clientId === 'zerodha:AB1234');
    } finally {
      await stream.close();
    }

    expect((await readTokenRecord(old, 'YA0002', 'desk')).accessToken).toBe(stored.YA0002);
    const accounts = await old.fetch('/v1/accounts', { as: 'ops' });
    expect(accounts.status).toBe(200);
    expect((await json(accounts)).accounts.map((account: { clientId: string }) => account.clientId).sort()).toEqual(['YA0002', 'YA0003', 'zerodha:AB1234']);
    for (const path of ['/health/ready', '/v1/status', '/', '/metrics', '/v1/audit']) {
      const answer = await old.fetch(path, { as: 'ops' });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    for (const replica of [old, current]) expect((await json(await replica.fetch('/v1/status', { as: 'ops' }))).health.replicas.seen).toBe(2);
    // An account it cannot name is a bad request to it, never a failure.
    const named = await old.fetch('/v1/tokens/zerodha:AB1234', { as: 'ops' });
    expect({ status: named.status, error: (await json(named)).error }).toEqual({ status: 400, error: 'invalid_client_id' });
  });

  it('takes a key scoped to a Zerodha account on today’s replica, while the previous release keeps the keys it had', async () => {
    const keys = fixture!.keys;
    keys['kite-desk'] = newServiceKey();
    writeClientsFile(fixture!.clientsFile, [
      clientFor('ops', keys.ops, ['*'], true),
      clientFor('desk', keys.desk, ['YA0002', 'YA0003'], false),
      clientFor('kite-desk', keys['kite-desk'], ['zerodha:AB1234'], false),
    ]);
    // Waited for in the logs: a key tried before a replica has it counts as a failed authentication.
    await current.vault.waitFor(/clients file .* changed: 3 clients; added kite-desk/, 5000);
    expect((await readTokenRecord(current, 'zerodha/AB1234', 'kite-desk')).accessToken).toBe(stored['zerodha:AB1234']);
    // The previous release's clients file names accounts bare only: it refuses the file and keeps what it last read.
    await old.vault.waitFor(/clients file .* cannot be used, keeping the 2 clients last read/, 5000);
    expect((await old.fetch('/v1/tokens/YA0002', { as: 'kite-desk' })).status).toBe(401);
    expect((await readTokenRecord(old, 'YA0002', 'desk')).accessToken).toBe(stored.YA0002);
  });

  it('sends each account’s expiring alert once, whichever version claims it', async () => {
    const expiring = () => webhook!.bodies.filter((body) => body.type === 'expiring').flatMap((body) => body.accounts as string[]);
    const accounts = ['YA0002', 'YA0003', 'zerodha:AB1234'];
    await until(() => accounts.every((account) => expiring().includes(account)), 5000, 'an expiring alert for every account');
    // A few more scans by both versions, each finding every account already announced.
    await new Promise((resolve) => setTimeout(resolve, 5 * SCAN_MS));
    expect(expiring().sort()).toEqual(accounts);
  });

  it('reads on each version a token imported through the other', async () => {
    for (const [importer, reader, account] of [
      [current, old, 'YA0003'],
      [old, current, 'YA0002'],
    ] as const) {
      const pasted = pocketful().broker.mintToken(account);
      const imported = await importToken(importer, pasted);
      expect(imported.status).toBe(201);
      stored[account] = pasted;
      expect((await readTokenRecord(reader, account, 'desk')).accessToken).toBe(pasted);
    }
  });

  it('once the previous release stops, serves from today’s every token either stored', async () => {
    expect(await old.vault.stop()).toBe(0);
    for (const account of ['YA0002', 'YA0003']) {
      expect(await readTokenRecord(current, account, 'desk')).toMatchObject({ clientId: account, broker: 'pocketful', accessToken: stored[account] });
    }
    expect((await readTokenRecord(current, 'zerodha/AB1234', 'ops')).accessToken).toBe(stored['zerodha:AB1234']);
    // What the previous release logged as an error beside today's: nothing.
    const errors = old.vault.stdout.split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
    expect(old.vault.stderr).toBe('');
  });
});
