import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { RedisConnection } from '../src/redis/redis-connection';
import { HeldRequests } from '../src/token-feed/held-requests';
import COUNT_READ_RECORD from '../src/tokens/read/count-read-record.lua';
import { TokenReader } from '../src/tokens/read/token-reader';
import { VaultFixture } from './support/vault-fixture';
import { until } from './support/until';
import { json, TestVault } from './support/test-vault';

interface Seen {
  command: string;
  source: string;
  args: string[];
}

/**
 * A served read is the product at market open: what it asks of Redis is counted here, command by command, through
 * MONITOR, and held to one round trip — the rate-limit count, the token and the audit entry together.
 */
/**
 * What a replica sends on its own schedule, whatever the requests: the event feed's follower (XREAD on its own
 * connection) and the replica heartbeat of the status page. Left out, so that a read is judged by what it sends.
 */
function background(args: string[]): boolean {
  const command = args[0].toLowerCase();
  return command === 'xread' || args.slice(1).some((arg) => /:(replicas|events)$/.test(arg));
}

describe('a token read', () => {
  let cluster: VaultFixture;
  let vault: TestVault;
  let monitor: Redis | null = null;
  /** Connected before any count begins: a fresh client's own INFO would be counted with the read. */
  let marker: Redis | null = null;
  const seen: Seen[] = [];

  beforeAll(async () => {
    cluster = await VaultFixture.start({
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'strategy-a', accounts: ['YA0002'] },
        { name: 'desk', accounts: ['YA0003'] },
      ],
    });
    [vault] = cluster.replicas;
    await vault.login('YA0002', cluster.broker);
    // The first read after start sends the script in full once (NOSCRIPT); reads after it go by its hash.
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
    const client = cluster.redis.client();
    monitor = await client.monitor();
    client.disconnect();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!background(args)) seen.push({ command: args[0].toLowerCase(), source, args });
    });
    marker = cluster.redis.client();
    await marker.ping();
    await until(() => seen.some((entry) => entry.command === 'ping'), 5000, 'MONITOR to see the marker connect');
  });

  afterAll(async () => {
    monitor?.disconnect();
    marker?.disconnect();
    await cluster?.close();
  });

  /** The commands Redis received while `work` ran, once MONITOR has caught up with a marker sent after it. */
  async function commandsDuring(work: () => Promise<unknown>): Promise<Seen[]> {
    seen.length = 0;
    await work();
    await marker!.echo('read-path-marker');
    await until(() => seen.some((entry) => entry.command === 'echo'), 5000, 'MONITOR to catch up');
    const markerAt = seen.findIndex((entry) => entry.command === 'echo');
    // What the script runs inside Redis shows too, from the source `lua`: it costs no round trip.
    return seen.slice(0, markerAt).filter((entry) => entry.source !== 'lua');
  }

  it('costs Redis one command, one round trip: the script that counts, reads and records', async () => {
    let status = 0;
    const commands = await commandsDuring(async () => {
      status = (await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status;
    });
    expect(status).toBe(200);
    expect(commands.map((entry) => entry.command)).toEqual(['evalsha']);
  });

  it('records the read it served, with the token’s fingerprint, in that one step', async () => {
    const response = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: { 'x-request-id': 'read-path-1' } });
    expect(response.status).toBe(200);
    const trail = await json(await vault.fetch('/v1/audit?client=strategy-a&limit=5', { as: 'ops' }));
    const entry = trail.entries.find((candidate: { requestId: string }) => candidate.requestId === 'read-path-1');
    expect(entry).toMatchObject({ action: 'read', result: 'ok', client: 'strategy-a', account: 'YA0002', remote: '127.0.0.1' });
    expect(entry.fingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(trail.entries.filter((candidate: { requestId: string }) => candidate.requestId === 'read-path-1')).toHaveLength(1);
  });

  it('runs the count, the read and the audit entry inside that one script, and nothing for the failed-authentication limiter', async () => {
    seen.length = 0;
    await commandsDuring(() => vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' }));
    const inside = seen.filter((entry) => entry.source === 'lua').map((entry) => entry.command);
    expect(inside).toEqual(['incrby', 'get', 'xadd', 'xtrim']);
  });

  it('sends the script again by itself after Redis lost it, and still serves', async () => {
    const client = cluster.redis.client();
    try {
      await client.script('FLUSH');
    } finally {
      client.disconnect();
    }
    // Waiting for MONITOR to show the first read's commands, so that none of them is counted with the second's.
    let status = 0;
    const first = await commandsDuring(async () => {
      status = (await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status;
    });
    expect(status).toBe(200);
    expect(first.map((entry) => entry.command)).toEqual(['evalsha', 'eval']);
    const commands = await commandsDuring(() => vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' }));
    expect(commands.map((entry) => entry.command)).toEqual(['evalsha']);
  });

  /** Reads a script call carries: its last argument holds them all, a JSON array of four values a read. */
  const readsIn = (args: string[]) => (JSON.parse(args[args.length - 1]) as unknown[]).length / 4;

  it('sends the reads of one turn in one call, and those of the next turn in another without waiting for the first to come back', async () => {
    const reader = vault.app.get(TokenReader);
    const connection = vault.app.get(RedisConnection);
    const read = (n: number) =>
      reader.read({ clientId: 'YA0002', rate: null, audit: { client: 'strategy-a', account: 'YA0002', requestId: `turn-${n}`, remote: '127.0.0.1' }, failClosed: true, woken: false });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    let outAtOnce = 0;
    let reads: Array<Promise<unknown>> = [];
    const commands = await commandsDuring(async () => {
      // Redis answers nothing while paused: whatever the vault sent meanwhile is out, unanswered.
      cluster.redis.pause();
      try {
        reads = [read(0)];
        await turn();
        reads.push(read(1), read(2), read(3));
        await turn();
        outAtOnce = connection.client.commandQueue.length;
      } finally {
        cluster.redis.resume();
      }
      expect(await Promise.all(reads)).toEqual(Array(4).fill(expect.objectContaining({ kind: 'served', audited: true })));
    });
    expect(outAtOnce).toBe(2);
    expect(commands.map((entry) => `${entry.command} ${readsIn(entry.args)}`)).toEqual(['evalsha 1', 'evalsha 3']);
  });

  it('opens a value only for the account it is stored under, and fails only the reads of a value it cannot open', async () => {
    const redis = cluster.redis.client();
    const { keys } = vault.app.get(RedisConnection);
    try {
      // YA0002's value, sealed with YA0002 as its additional data, copied under YA0003: what a mix-up in Redis, or
      // someone who can write to it, would leave. YA0002 is read first, so that its opened value is in the cache.
      await redis.set(keys.token('YA0003'), (await redis.get(keys.token('YA0002')))!, 'PX', 60_000);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(200);
      const copied = await vault.fetch('/v1/tokens/YA0003', { as: 'ops' });
      expect({ status: copied.status, error: (await json(copied)).error }).toEqual({ status: 500, error: 'token_unreadable' });

      // Both in one turn, so in one call: the copy fails alone.
      const reader = vault.app.get(TokenReader);
      const read = (clientId: string) =>
        reader.read({ clientId, rate: null, audit: { client: 'ops', account: clientId, requestId: `copy-${clientId}`, remote: '127.0.0.1' }, failClosed: true, woken: false });
      const [original, copy] = await Promise.all([read('YA0002'), read('YA0003')]);
      expect(original).toMatchObject({ kind: 'served', token: { clientId: 'YA0002' } });
      expect(copy).toMatchObject({ kind: 'unreadable', error: expect.objectContaining({ code: 'token_unreadable' }) });
    } finally {
      await redis.del(keys.token('YA0003'));
      redis.disconnect();
    }
  });
  it('reads the token once for all the reads a login woke for the account, in one script call past the 128 of a turn, and records each under its own client', async () => {
    // Two clients, each under HELD_REQUESTS_PER_CLIENT (100), hold more reads between them than one ordinary call carries.
    const perClient = 75;
    const clients = ['ops', 'desk'];
    const readScript = createHash('sha1').update(COUNT_READ_RECORD).digest('hex');
    const held = vault.app.get(HeldRequests);
    const waits = clients.flatMap((as) =>
      Array.from({ length: perClient }, (_, index) => vault.fetch('/v1/tokens/YA0003?wait=30', { as, headers: { 'x-request-id': `herd-${as}-${index}` } })),
    );
    await until(() => held.count('wait') === clients.length * perClient, 10_000, 'every read to wait');
    let statuses: number[] = [];
    const commands = await commandsDuring(async () => {
      await vault.login('YA0003', cluster.broker);
      statuses = (await Promise.all(waits)).map((answer) => answer.status);
    });
    expect(statuses).toEqual(Array(clients.length * perClient).fill(200));
    const readCalls = commands.filter((entry) => entry.command === 'evalsha' && entry.args[1] === readScript);
    expect(readCalls.map((entry) => readsIn(entry.args))).toEqual([clients.length * perClient]);

    const trail = await json(await vault.fetch('/v1/audit?account=YA0003&action=read&kind=done&limit=500', { as: 'ops' }));
    const herd = trail.entries.filter((entry: { requestId: string }) => entry.requestId.startsWith('herd-'));
    expect(herd).toHaveLength(clients.length * perClient);
    expect(new Set(herd.map((entry: { requestId: string }) => entry.requestId)).size).toBe(clients.length * perClient);
    for (const as of clients) {
      const own = herd.filter((entry: { requestId: string }) => entry.requestId.startsWith(`herd-${as}-`));
      expect(own).toHaveLength(perClient);
      expect(own.every((entry: { client: string; result: string; fingerprint: string }) => entry.client === as && entry.result === 'ok' && /^[A-Za-z0-9_-]{16}$/.test(entry.fingerprint))).toBe(true);
    }
  });
});
