import type Redis from 'ioredis';
import { TokenEvent, TokenEvents, TokenVault, VaultError, VaultEvent } from '../clients/typescript/src';
import { clientFor, writeClientsFile } from '../src/access/clients-file';
import { RedisKeys } from '../src/redis/redis-keys';
import { decodeEntry, ENTRY_FIELD } from '../src/token-feed/feed-event';
import { closeAll } from './support/close-all';
import { SpawnedReplica, SpawnedReplicas, untilReady } from './support/spawned-replicas';
import { TcpProxy } from './support/tcp-proxy';
import { TestClient } from './support/test-vault';
import { importToken } from './support/token-requests';
import { until } from './support/until';

const CLIENTS: TestClient[] = [
  { name: 'ops', accounts: ['*'], admin: true },
  { name: 'strategy', accounts: ['*'] },
  // Taken out of the clients file by one test.
  { name: 'leaving', accounts: ['*'] },
];
/** A resume further back than this many events is answered `reset`. */
const REPLAY_MAX = 5;
const EVENTS = new RedisKeys('token-vault:').events();

/** An iteration of `events()` running in the background, keeping what it hands out and how it ended. */
class Follower {
  readonly seen: VaultEvent[] = [];
  failure: unknown = null;
  readonly done: Promise<void>;

  constructor(readonly stream: TokenEvents, onEvent: (event: VaultEvent) => Promise<void> | void = () => undefined) {
    this.done = (async () => {
      try {
        for await (const event of stream) {
          this.seen.push(event);
          await onEvent(event);
        }
      } catch (error) {
        this.failure = error;
      }
    })();
  }

  get tokenEvents(): TokenEvent[] {
    return this.seen.filter((event): event is TokenEvent => event.type !== 'reset');
  }

  has(type: string, clientId?: string): boolean {
    return this.seen.some((event) => event.type === type && (clientId === undefined || (event as TokenEvent).clientId === clientId));
  }

  async close(): Promise<void> {
    this.stream.close();
    await this.done;
  }
}

/**
 * The client's `events()` against the bundled vault, two replicas in processes of their own on one Redis, as
 * compose runs them; the client is given one address, a proxy in front of the replicas, as compose's is.
 */
describe('the TypeScript client’s events(), against two spawned replicas behind one address', () => {
  let fixture: SpawnedReplicas;
  let redis: Redis;
  let proxy: TcpProxy;
  const followers: Follower[] = [];

  beforeAll(async () => {
    fixture = await SpawnedReplicas.start({
      clients: CLIENTS,
      env: {
        MISSING_TOKEN_CHECK_AT: 'off',
        PREOPEN_CHECK_AT: 'off',
        EVENTS_REPLAY_MAX: String(REPLAY_MAX),
      },
    });
    redis = fixture.redis.client();
    proxy = await new TcpProxy(fixture.replicas[0].port).start();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(followers.splice(0).map((follower) => follower.close()));
  });

  afterAll(() => closeAll(() => proxy?.stop(), () => redis?.quit(), () => fixture?.close()));

  const vaultAs = (name: string) => TokenVault.fromEnv({}, { VAULT_URL: proxy.url, VAULT_KEY: fixture.keys[name] });

  function follow(stream: TokenEvents, onEvent?: (event: VaultEvent) => Promise<void> | void): Follower {
    const follower = new Follower(stream, onEvent);
    followers.push(follower);
    return follower;
  }

  /** A token stored for the account through a replica, as an import does: one token.stored event. */
  async function store(replica: SpawnedReplica, account: string): Promise<string> {
    const accessToken = fixture.broker.broker.mintToken(account);
    const response = await importToken(replica, accessToken);
    if (response.status !== 201) throw new Error(`the import of ${account} answered ${response.status}`);
    return accessToken;
  }

  async function remove(replica: SpawnedReplica, account: string): Promise<void> {
    const response = await replica.fetch(`/v1/tokens/${account}`, { as: 'ops', method: 'DELETE' });
    if (response.status !== 204) throw new Error(`the delete of ${account} answered ${response.status}`);
  }

  /** The id of the newest event in the feed: a stream resumed after it is handed everything that follows, no race. */
  async function newestEventId(): Promise<string> {
    const [newest] = await redis.xrevrange(EVENTS, '+', '-', 'COUNT', 1);
    return newest ? newest[0] : '0-0';
  }

  /** What the feed holds after an id, as the vault wrote it. */
  async function feedAfter(id: string): Promise<Array<{ id: string; type: string; clientId: string }>> {
    const entries = await redis.xrange(EVENTS, `(${id}`, '+');
    return entries.map(([entryId, fields]) => {
      const event = decodeEntry(entryId, fields[fields.indexOf(ENTRY_FIELD) + 1]);
      if (!event) throw new Error(`the feed holds an entry the vault cannot read: ${entryId}`);
      return { id: event.id, type: event.type, clientId: event.body.clientId };
    });
  }

  /** Token reads the vault served to `strategy` for an account, from the audit trail. */
  async function reads(account: string): Promise<number> {
    const query = new URLSearchParams({ client: 'strategy', account, kind: 'done', action: 'read', limit: '500' });
    const response = await fixture.replicas[1].fetch(`/v1/audit?${query.toString()}`, { as: 'ops' });
    return ((await response.json()) as { entries: unknown[] }).entries.length;
  }

  it('resumes across a replica’s restart with Last-Event-ID: every event once, in order, none lost while it was down', async () => {
    const [a, b] = fixture.replicas;
    proxy.pointAt(a.port);
    // An empty feed has no id to resume after: one event first.
    await store(b, 'YA0100');
    const since = await newestEventId();
    const follower = follow(vaultAs('strategy').events({ lastEventId: since }));

    await store(b, 'YA0101');
    await store(b, 'YA0102');
    await until(() => follower.has('token.stored', 'YA0102'), 10_000, 'the events before the restart');

    // The replica the stream is on stops; what happens meanwhile is written through the other.
    await a.vault.stop();
    await store(b, 'YA0103');
    await remove(b, 'YA0101');
    const restarted = await fixture.spawn();
    await untilReady(restarted);
    await store(b, 'YA0104');
    proxy.pointAt(restarted.port);
    await until(() => follower.has('token.stored', 'YA0104'), 40_000, 'the events of the restart, replayed');
    // And it goes on live, on the restarted replica.
    await store(restarted, 'YA0105');
    await until(() => follower.has('token.stored', 'YA0105'), 10_000, 'a live event after the restart');

    const written = await feedAfter(since);
    expect(follower.seen.map((event) => event.type === 'reset' ? ['reset'] : [event.type, event.clientId])).toEqual([
      ['token.stored', 'YA0101'],
      ['token.stored', 'YA0102'],
      ['token.stored', 'YA0103'],
      ['token.removed', 'YA0101'],
      ['token.stored', 'YA0104'],
      ['token.stored', 'YA0105'],
    ]);
    // Exactly the feed, id for id: nothing missed, nothing twice.
    expect(follower.tokenEvents.map((event) => event.id)).toEqual(written.map((entry) => entry.id));
    expect(follower.stream.lastEventId).toBe(written[written.length - 1].id);
    // It went through the proxy twice at least: to the replica that stopped, then to the one that took its place.
    expect(proxy.connections).toContain(a.port);
    expect(proxy.connections).toContain(restarted.port);
    const removed = follower.tokenEvents[3];
    expect(removed).toMatchObject({ type: 'token.removed', reason: 'deleted' });
    expect(removed.at).toBeInstanceOf(Date);
    expect(removed.expiresAt).toBeInstanceOf(Date);
    expect(follower.failure).toBeNull();
  }, 60_000);

  it('says reset when the id it resumes after is too far back, drops its cached tokens, and goes on live', async () => {
    proxy.pointAt(fixture.replicas[1].port);
    const vault = vaultAs('strategy');
    await store(fixture.replicas[1], 'YA0201');
    const old = await newestEventId();
    await vault.token('YA0201');
    await vault.token('YA0201');
    expect(await reads('YA0201')).toBe(1);
    for (let index = 2; index <= REPLAY_MAX + 2; index += 1) await store(fixture.replicas[1], `YA02${String(index).padStart(2, '0')}`);

    const follower = follow(vault.events({ lastEventId: old }));
    await until(() => follower.seen.length > 0, 10_000, 'the first thing the stream says');
    expect(follower.seen).toEqual([{ type: 'reset' }]);
    // What the client held may be stale: the next read asks the vault.
    await vault.token('YA0201');
    expect(await reads('YA0201')).toBe(2);
    await store(fixture.replicas[1], 'YA0299');
    await until(() => follower.has('token.stored', 'YA0299'), 10_000, 'a live event after the reset');
    expect(follower.seen.map((event) => event.type)).toEqual(['reset', 'token.stored']);
  }, 30_000);

  it('lets a strategy swap a token that was replaced, and learn of one removed, from its own cache', async () => {
    proxy.pointAt(fixture.replicas[1].port);
    const [, b] = fixture.replicas;
    const vault = vaultAs('strategy');
    const first = await store(b, 'YA0301');
    expect((await vault.token('ya0301')).accessToken).toBe(first);
    // What a strategy does with each event: reads the account's token again, or learns there is none.
    const swapped: Array<string | null> = [];
    const follower = follow(vault.events({ accounts: ['ya0301'], lastEventId: await newestEventId() }), async (event) => {
      if (event.type === 'reset') return;
      swapped.push(await vault.token(event.clientId).then((token) => token.accessToken, (error: VaultError) => error.error));
    });
    const second = await store(b, 'YA0301');
    await until(() => swapped.length === 1, 10_000, 'the new token of YA0301');
    await remove(b, 'YA0301');
    await store(b, 'YA0302');
    const newest = await newestEventId();
    await until(() => swapped.length === 2 && follower.stream.lastEventId === newest, 10_000, 'the events of YA0301, and past YA0302’s');
    expect(second).not.toBe(first);
    expect(swapped).toEqual([second, 'token_not_found']);
    // Only the account asked for is handed out, though the stream went past the other's event.
    expect(follower.tokenEvents.map((event) => [event.type, event.clientId])).toEqual([
      ['token.stored', 'YA0301'],
      ['token.removed', 'YA0301'],
    ]);
  }, 30_000);

  it('ends with the vault’s 401 when its key is taken away, rather than trying forever', async () => {
    proxy.pointAt(fixture.replicas[1].port);
    const follower = follow(vaultAs('leaving').events({ lastEventId: await newestEventId() }));
    await store(fixture.replicas[1], 'YA0401');
    await until(() => follower.has('token.stored', 'YA0401'), 10_000, 'the stream to be open');
    const without = CLIENTS.filter((client) => client.name !== 'leaving');
    const write = (clients: TestClient[]) =>
      writeClientsFile(fixture.clientsFile, clients.map((client) => clientFor(client.name, fixture.keys[client.name], client.accounts, client.admin ?? false)));
    try {
      write(without);
      await follower.done;
    } finally {
      write(CLIENTS);
    }
    expect(follower.failure).toBeInstanceOf(VaultError);
    expect(follower.failure).toMatchObject({ status: 401, error: 'unauthorized', temporary: false });
    expect(String((follower.failure as VaultError).message)).not.toContain(fixture.keys.leaving);
  }, 30_000);
});
