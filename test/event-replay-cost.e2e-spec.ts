import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type Redis from 'ioredis';
import { RedisKeys } from '../src/redis/redis-keys';
import { encodeEntry, ENTRY_FIELD } from '../src/token-feed/feed-event';
import { closeAll } from './support/close-all';
import { EventStreamClient } from './support/event-stream-client';
import { SpawnedReplica, SpawnedReplicas } from './support/spawned-replicas';
import { importToken } from './support/token-requests';
import { until } from './support/until';

const EVENTS = 2_000;
const REPLAYS = 300;
const MB = 1024 * 1024;

/** A figure of /proc/<pid>/status, in bytes: VmRSS (resident now) or VmHWM (the most resident since the last reset). */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kilobytes === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Number(kilobytes) * 1024;
}

/** From here on, VmHWM is the peak since now (Linux's clear_refs): a peak, not a sample that could miss it. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * A key scoped to one account resuming, again and again, from the start of a long history of another account's
 * events, on the bundled vault in a process of its own: what it costs is measured as the process's peak resident
 * memory, and the vault's other clients must not notice it.
 */
(existsSync('/proc/self/clear_refs') ? describe : describe.skip)('replays of a long history to a key that may see none of it', () => {
  let fixture: SpawnedReplicas;
  let replica: SpawnedReplica;
  let redis: Redis;
  /** The first event kept, the import of YA0002's token: a resume after it has the whole history to go through. */
  let first: string;

  beforeAll(async () => {
    fixture = await SpawnedReplicas.start({
      count: 1,
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'strategy-a', accounts: ['YA0002'] },
      ],
      // Every replay in flight at once, and each allowed to go through the whole history: the bound on a replay's
      // length is not what keeps this cheap.
      env: { HELD_REQUESTS_PER_CLIENT: String(REPLAYS), EVENTS_REPLAY_MAX: '10000' },
    });
    [replica] = fixture.replicas;
    redis = fixture.redis.client();
    expect((await importToken(replica, fixture.broker.broker.mintToken('YA0002'))).status).toBe(201);
    const events = new RedisKeys('token-vault:').events();
    first = (await redis.xrange(events, '-', '+', 'COUNT', 1))[0][0];
    const pipeline = redis.pipeline();
    for (let index = 0; index < EVENTS; index += 1) {
      const body = { clientId: 'YA0009', expiresAt: '2026-11-24T00:00:00+05:30', at: '2026-11-23T09:00:00+05:30', reason: 'deleted' as const };
      pipeline.xadd(events, '*', ENTRY_FIELD, encodeEntry({ type: index % 2 ? 'token.removed' : 'token.stored', body }));
    }
    await pipeline.exec();
  }, 30_000);

  afterAll(() => closeAll(() => redis?.quit(), () => fixture?.close()));

  /** `count` streams opened at once as `as`, resumed after `first`; each is closed once `replayed` holds for it. */
  async function replays(count: number, as: string, replayed = (stream: EventStreamClient) => stream.text.includes('retry:')): Promise<EventStreamClient[]> {
    // A refusal (JSON) is done when its answer is.
    const done = (stream: EventStreamClient) => (stream.status === 200 ? replayed(stream) : stream.ended);
    const streams: EventStreamClient[] = [];
    try {
      await Promise.all(
        Array.from({ length: count }, async () => {
          const stream = await EventStreamClient.open({ url: replica.url, keys: fixture.keys }, as, { lastEventId: first });
          streams.push(stream);
          // By default, the retry line: it comes first, written with the replay in one turn of the vault's event loop.
          await until(() => done(stream), 30_000, 'the replay');
        }),
      );
      return streams;
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  }

  it(`costs the vault under 50 MB for ${REPLAYS} replays at once of ${EVENTS} events, and no one else notices`, async () => {
    const pid = replica.vault.child.pid!;
    // A first round grows the heap's young generation to what the traffic needs: what follows measures what stays.
    await replays(50, 'strategy-a');
    resetPeak(pid);
    const before = memoryOf(pid, 'VmRSS');

    let replaying = true;
    const others: string[] = [];
    const meanwhile = (async () => {
      while (replaying) {
        const [read, ready] = await Promise.all([replica.fetch('/v1/tokens/YA0002', { as: 'ops' }), replica.fetch('/health/ready')]);
        others.push(`read ${read.status}`, `ready ${ready.status}`);
        await Promise.all([read.arrayBuffer(), ready.arrayBuffer()]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    let streams: EventStreamClient[];
    try {
      streams = await replays(REPLAYS, 'strategy-a');
    } finally {
      replaying = false;
      await meanwhile;
    }
    const grown = memoryOf(pid, 'VmHWM') - before;

    expect(streams.map((stream) => stream.status)).toEqual(Array(REPLAYS).fill(200));
    // Nothing of YA0009's reached the key, and its id was kept: nothing to reset.
    expect(streams.flatMap((stream) => stream.events)).toEqual([]);
    expect(grown).toBeLessThan(50 * MB);
    expect(others.length).toBeGreaterThan(0);
    expect(new Set(others)).toEqual(new Set(['read 200', 'ready 200']));
    // Not one Redis command failed: the breaker never came near opening.
    expect(replica.vault.stdout).not.toMatch(/"context":"Redis(Store)?"/);
  }, 120_000);

  it('still replays the whole history to a key that may see all of it', async () => {
    const [stream] = await replays(1, 'ops', (opened) => opened.events.length >= EVENTS);
    expect(stream.events.length).toBe(EVENTS);
    expect(stream.events.every((event) => event.data.clientId === 'YA0009')).toBe(true);
  }, 30_000);
});
