import { RunningClock } from './support/running-clock';
import { clientFor } from '../src/access/clients-file';
import { ServiceClientRegistry } from '../src/access/service-client.registry';
import { AlertService } from '../src/alerts/alert.service';
import { TokenEvents } from '../src/tokens/token-events';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { EventStreamClient, ReceivedEvent } from './support/event-stream-client';
import { ManualClock } from './support/manual-clock';
import { VaultFixture } from './support/vault-fixture';
import { BASE_DAY, istIso } from './support/test-time';
import { readToken } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';

const CLIENTS = [
  { name: 'ops', accounts: ['*'], admin: true },
  { name: 'strategy-a', accounts: ['YA0002'] },
  { name: 'watcher', accounts: ['*'] },
];
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');

const about = (clientId: string, type: string) => (event: ReceivedEvent) => event.event === type && event.data.clientId === clientId;

describe('GET /v1/events across replicas', () => {
  let cluster: VaultFixture;
  let a: TestVault;
  let b: TestVault;
  const streams: EventStreamClient[] = [];

  beforeAll(async () => {
    cluster = await VaultFixture.start({ replicas: 2, clients: CLIENTS, clock: new ManualClock(BASE_DAY.at('10:00')), env: { EVENTS_HEARTBEAT_SECONDS: '1' } });
    [a, b] = cluster.replicas;
  });

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.close()));
  });

  afterAll(() => cluster?.close());

  async function open(vault: TestVault, as: string, lastEventId?: string): Promise<EventStreamClient> {
    const stream = await EventStreamClient.open(vault, as, { lastEventId });
    streams.push(stream);
    return stream;
  }

  const tokenOf = (clientId: string): Promise<string> => readToken(a, clientId, 'ops');

  it('answers text/event-stream, uncached and unbuffered, after the service key guard', async () => {
    const stream = await open(b, 'watcher');
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(stream.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await b.fetch('/v1/events', { headers: { authorization: 'Bearer tvk_not_a_key' } });
    expect(refused.status).toBe(401);
    expect((await json(refused)).error).toBe('unauthorized');
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const stream = await open(b, 'watcher');
    await until(() => stream.comments.includes('ping'), 5000, 'a ping');
    expect(stream.ended).toBe(false);
  });

  it('tells a subscriber on one replica of a store and a delete on the other, with account, expiry and id, never the token', async () => {
    const stream = await open(b, 'watcher');
    await a.login('YA0002', cluster.broker);
    const stored = await stream.next(about('YA0002', 'token.stored'), 5000, 'token.stored');
    expect(stored.id).toMatch(/^\d+-\d+$/);
    expect(stored.data).toEqual({ clientId: 'YA0002', expiresAt: istIso(MIDNIGHT), at: istIso(BASE_DAY.at('10:00')) });
    const token = await tokenOf('YA0002');

    expect((await a.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'DELETE' })).status).toBe(204);
    const removed = await stream.next(about('YA0002', 'token.removed'), 5000, 'token.removed');
    expect(removed.data).toEqual({ clientId: 'YA0002', expiresAt: istIso(MIDNIGHT), at: istIso(BASE_DAY.at('10:00')), reason: 'deleted' });
    expect(removed.id! > stored.id!).toBe(true);
    expect(stream.text).not.toContain(token);
    expect(stream.text).not.toContain('accessToken');
  });

  it('tells of a token that Pocketful refused when reported, as removed: invalid', async () => {
    const stream = await open(a, 'watcher');
    await b.login('YA0003', cluster.broker);
    cluster.broker.broker.revoke(await tokenOf('YA0003'));
    const report = await json(await b.fetch('/v1/tokens/YA0003/report-invalid', { as: 'ops', method: 'POST' }));
    expect(report.verdict).toBe('invalid');
    const removed = await stream.next(about('YA0003', 'token.removed'), 5000, 'token.removed');
    expect(removed.data).toMatchObject({ reason: 'invalid', expiresAt: istIso(MIDNIGHT) });
  });

  it('gives a key scoped to one account nothing about another', async () => {
    const scoped = await open(b, 'strategy-a');
    const everything = await open(b, 'watcher');
    await a.login('YA0004', cluster.broker);
    await a.login('YA0002', cluster.broker);
    await everything.next(about('YA0002', 'token.stored'));
    await scoped.next(about('YA0002', 'token.stored'));
    expect(everything.events.some(about('YA0004', 'token.stored'))).toBe(true);
    // Events reach every stream in the feed's order: YA0004's came first, and did not come here.
    expect(scoped.events.map((event) => event.data.clientId)).toEqual(['YA0002']);
    expect(scoped.text).not.toContain('YA0004');
  });

  it('resumes after Last-Event-ID, on another replica, with what happened while it was away', async () => {
    const first = await open(a, 'watcher');
    await a.login('YA0005', cluster.broker);
    const seen = await first.next(about('YA0005', 'token.stored'));
    await first.close();
    await b.login('YA0006', cluster.broker);
    await a.fetch('/v1/tokens/YA0005', { as: 'ops', method: 'DELETE' });

    const resumed = await open(b, 'watcher', seen.id!);
    await resumed.next(about('YA0005', 'token.removed'));
    expect(resumed.events.map((event) => [event.event, event.data.clientId])).toEqual([
      ['token.stored', 'YA0006'],
      ['token.removed', 'YA0005'],
    ]);
    // And it carries on live.
    await a.login('YA0007', cluster.broker);
    await resumed.next(about('YA0007', 'token.stored'));
  });

  it('sends reset, and replays nothing, when the Last-Event-ID is older than the events kept; then goes on live', async () => {
    const first = await open(a, 'watcher');
    await a.login('YA0008', cluster.broker);
    const gone = await first.next(about('YA0008', 'token.stored'));
    const redis = cluster.redis.client();
    try {
      await redis.xtrim('token-vault:events', 'MAXLEN', 0);
    } finally {
      redis.disconnect();
    }
    await a.login('YA0009', cluster.broker);
    const kept = await first.next(about('YA0009', 'token.stored'));
    const resumed = await open(b, 'watcher', gone.id!);
    // The reset names the newest event kept, for the client to resume after rather than be reset again.
    const reset = await resumed.next((event) => event.event === 'reset');
    expect(reset.id).toBe(kept.id);
    await a.login('YA0010', cluster.broker);
    await resumed.next(about('YA0010', 'token.stored'));
    // YA0009's event is kept, but follows events that are not: the client reads the tokens again instead.
    expect(resumed.events.map((event) => [event.event, event.data.clientId])).toEqual([
      ['reset', undefined],
      ['token.stored', 'YA0010'],
    ]);
    const again = await open(a, 'watcher', reset.id!);
    await a.login('YA0011', cluster.broker);
    await again.next(about('YA0011', 'token.stored'));
    expect(again.events.map((event) => event.event)).toEqual(['token.stored', 'token.stored']);
  });

  it('answers an id of another account’s event and an id no event had alike, telling the key nothing', async () => {
    const everything = await open(a, 'watcher');
    await a.login('YA0012', cluster.broker);
    const other = await everything.next(about('YA0012', 'token.stored'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a.login('YA0002', cluster.broker);
    await everything.next(about('YA0002', 'token.stored'));
    // Later than YA0012's event, earlier than YA0002's: no event ever had it.
    const never = `${other.id!.split('-')[0]}-99`;
    const seen: string[][] = [];
    for (const id of [other.id!, never]) {
      const resumed = await open(b, 'strategy-a', id);
      await resumed.next(about('YA0002', 'token.stored'));
      seen.push(resumed.events.map((event) => event.event));
    }
    expect(seen).toEqual([['token.stored'], ['token.stored']]);
  });

  it('goes back over at most EVENTS_REPLAY_MAX events, and sends reset to a stream further behind', async () => {
    const bounded = await cluster.another({ env: { EVENTS_REPLAY_MAX: '3' } });
    try {
      const everything = await open(a, 'watcher');
      for (const account of ['YA0013', 'YA0014', 'YA0015', 'YA0016', 'YA0017']) await a.login(account, cluster.broker);
      await everything.next(about('YA0017', 'token.stored'));
      const [first, second] = everything.events;
      // Three events back: replayed.
      const within = await open(bounded, 'watcher', second.id!);
      await within.next(about('YA0017', 'token.stored'));
      expect(within.events.map((event) => event.data.clientId)).toEqual(['YA0015', 'YA0016', 'YA0017']);
      // Four: reset, and live from there.
      const behind = await open(bounded, 'watcher', first.id!);
      await behind.next((event) => event.event === 'reset');
      await a.login('YA0019', cluster.broker);
      await behind.next(about('YA0019', 'token.stored'));
      expect(behind.events.map((event) => event.event)).toEqual(['reset', 'token.stored']);
    } finally {
      await Promise.all(streams.splice(0).map((stream) => stream.close()));
      await bounded.close();
    }
  });

  it('replays nothing after the largest id a stream can hold, without a reset, and goes on live', async () => {
    const resumed = await open(b, 'watcher', '18446744073709551615-18446744073709551615');
    expect(resumed.status).toBe(200);
    await a.login('YA0018', cluster.broker);
    await resumed.next(about('YA0018', 'token.stored'));
    expect(resumed.events.map((event) => event.event)).toEqual(['token.stored']);
  });

  it.each([
    ['not-an-id', 'not-an-id'],
    ['1-2-3', '1-2-3'],
    ['12345', '12345'],
    ['99999999999999999999-0', '99999999999999999999-0'],
    ['1-18446744073709551616', '1-18446744073709551616'],
    ['of 300 digits', `${'9'.repeat(300)}-0`],
  ])('refuses Last-Event-ID %s with 400 invalid_last_event_id, logging nothing', async (_, lastEventId) => {
      const before = b.logs.lines.length;
      const response = await b.fetch('/v1/events', { as: 'watcher', headers: { 'last-event-id': lastEventId } });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe('invalid_last_event_id');
      // The access log's line for the request, and nothing else.
      expect(b.logs.lines.slice(before).map((line) => JSON.parse(line).msg)).toEqual(['request completed']);
  });

  it('follows the feed on one Redis connection per replica, however many streams are open', async () => {
    const redis = cluster.redis.client();
    try {
      const followers = async () => String(await redis.client('LIST')).split('\n').filter((line) => line.includes('name=token-vault:events')).length;
      expect(await followers()).toBe(2);
      for (let index = 0; index < 20; index += 1) await open(index % 2 ? a : b, 'ops');
      expect(await followers()).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
  it('ends the stream of a key revoked while it is open', async () => {
    const stream = await open(b, 'strategy-a');
    const clientsOf = (names: string[]) =>
      CLIENTS.filter((client) => names.includes(client.name)).map((client) => clientFor(client.name, b.keys[client.name], client.accounts, client.admin ?? false));
    const registry = b.app.get(ServiceClientRegistry);
    try {
      // What a re-read of a clients file without the key does.
      registry.replace(clientsOf(['ops', 'watcher']));
      await until(() => stream.ended, 5000, 'the stream to end');
    } finally {
      registry.replace(clientsOf(CLIENTS.map((client) => client.name)));
    }
  });
});

describe('events that time brings', () => {
  let cluster: VaultFixture;
  let webhook: AlertReceiver;
  const clock = new RunningClock(BASE_DAY.at('12:00'));

  beforeAll(async () => {
    webhook = await new AlertReceiver().start();
    cluster = await VaultFixture.start({
      replicas: 2,
      clients: CLIENTS,
      clock,
      env: { ALERT_WEBHOOK_URL: `${webhook.url}/hook`, ALERT_BEFORE_EXPIRY: '60m,15m', ALERT_SCAN_INTERVAL: '1h', PUBLIC_URL: 'https://vault.desk.example' },
    });
  });

  afterAll(() => closeAll(() => cluster?.close(), () => webhook?.stop()));

  it('puts token.expiring into the feed once per alert id, however many replicas say it and how often', async () => {
    const [a, b] = cluster.replicas;
    const stream = await EventStreamClient.open(b, 'watcher');
    try {
      const expiresAt = MIDNIGHT;
      for (let scan = 0; scan < 3; scan += 1) {
        for (const vault of [a, b]) vault.app.get(TokenEvents).expiring({ clientId: 'YA0011', expiresAt, alertId: 'expiring:YA0011:test:1' });
      }
      const expiring = await stream.next(about('YA0011', 'token.expiring'), 5000, 'token.expiring');
      expect(expiring.data).toEqual({ clientId: 'YA0011', expiresAt: istIso(expiresAt), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT12:\d\d:\d\d\+05:30$/) });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stream.of('token.expiring')).toHaveLength(1);
    } finally {
      await stream.close();
    }
  });

  it('announces token.expiring from the alert ladder once per lead, whichever replicas scan', async () => {
    const [a, b] = cluster.replicas;
    const stream = await EventStreamClient.open(b, 'strategy-a');
    try {
      clock.moveTo(BASE_DAY.at('23:20'));
      await a.login('YA0002', cluster.broker);
      for (let scan = 0; scan < 2; scan += 1) await Promise.all([a.app.get(AlertService).scan(), b.app.get(AlertService).scan()]);
      const expiring = await stream.next(about('YA0002', 'token.expiring'), 5000, 'token.expiring');
      expect(expiring.data).toMatchObject({ clientId: 'YA0002', expiresAt: istIso(MIDNIGHT) });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stream.of('token.expiring')).toHaveLength(1);
      expect(webhook.received.filter((request) => request.body.includes('"expiring"'))).toHaveLength(1);
    } finally {
      await stream.close();
    }
  }, 20_000);

  it('announces token.removed once, by one replica, when a token reaches its expiry', async () => {
    const [a, b] = cluster.replicas;
    const streams = [await EventStreamClient.open(a, 'watcher'), await EventStreamClient.open(b, 'watcher')];
    try {
      // Seconds before the cut-off: the token stored now expires for real in a few seconds.
      clock.moveTo(BASE_DAY.at('23:59:56'));
      await a.login('YA0003', cluster.broker);
      for (const stream of streams) {
        const expired = await stream.next(about('YA0003', 'token.removed'), 15_000, 'token.removed at expiry');
        expect(expired.data).toMatchObject({ reason: 'expired', expiresAt: istIso(MIDNIGHT) });
      }
      // Both replicas had a timer for the instant; one claimed it.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const stream of streams) expect(stream.events.filter(about('YA0003', 'token.removed'))).toHaveLength(1);
      expect((await a.fetch('/v1/tokens/YA0003', { as: 'ops' })).status).toBe(404);
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  }, 30_000);
});
