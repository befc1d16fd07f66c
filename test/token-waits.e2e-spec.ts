import { request } from 'node:http';
import { EventFanOut } from '../src/token-feed/event-fan-out';
import { HeldRequests } from '../src/token-feed/held-requests';
import { EventStreamClient } from './support/event-stream-client';
import { ManualClock } from './support/manual-clock';
import { readToken, readTokenRecord } from './support/token-requests';
import { VaultFixture } from './support/vault-fixture';
import { BASE_DAY } from './support/test-time';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';

const CLIENTS = [
  { name: 'ops', accounts: ['*'], admin: true },
  { name: 'strategy-a', accounts: ['YA0002', 'YA0003', 'YA0004'] },
  { name: 'crowd', accounts: ['*'] },
  { name: 'other', accounts: ['*'] },
];
/** The bound is the default; the tests that reach it open that many waits. */
const BOUND = 100;

interface WaitAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  afterMs: number;
}

/**
 * A read that waits, on a connection of its own (node:http, no pool), with a way to give up on it as a client that
 * disconnects does: the connection is destroyed.
 */
function waitFor(vault: TestVault, path: string, as: string, headers: Record<string, string> = {}) {
  const url = new URL(vault.url);
  const started = Date.now();
  const outgoing = request({ host: url.hostname, port: url.port, path, headers: { ...headers, authorization: `Bearer ${vault.keys[as]}` }, agent: false });
  const answer = new Promise<WaitAnswer>((resolve, reject) => {
    outgoing.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: JSON.parse(text), afterMs: Date.now() - started }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
  });
  outgoing.end();
  // A wait given up on rejects; a test that gives up on it does not look at the answer.
  answer.catch(() => undefined);
  return { answer, abort: () => outgoing.destroy() };
}

const held = (vault: TestVault) => vault.app.get(HeldRequests);
const heldWaits = (vault: TestVault) => held(vault).count('wait');

describe('GET /v1/tokens/:clientId?wait=N across replicas', () => {
  let cluster: VaultFixture;
  let a: TestVault;
  let b: TestVault;
  const clock = new ManualClock(BASE_DAY.at('10:00'));

  beforeAll(async () => {
    cluster = await VaultFixture.start({ replicas: 2, clock, clients: CLIENTS });
    [a, b] = cluster.replicas;
    await a.login('YA0002', cluster.broker);
  });

  afterAll(() => cluster?.close());

  it('answers at once with a live token, the same answer as a read without wait', async () => {
    const plain = await readTokenRecord(b, 'YA0002', 'strategy-a');
    const started = Date.now();
    const waited = await b.fetch('/v1/tokens/YA0002?wait=30', { as: 'strategy-a' });
    expect(waited.status).toBe(200);
    expect(waited.headers.get('cache-control')).toBe('no-store');
    expect(await json(waited)).toEqual(plain);
    // The clock stands still: a wait that held on would take its 30 s.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('holds a read on one replica until a login on the other stores the token, then answers it', async () => {
    const wait = waitFor(b, '/v1/tokens/YA0003?wait=20', 'strategy-a');
    await until(() => heldWaits(b) === 1, 5000, 'the read to be held');
    await a.login('YA0003', cluster.broker);
    const storedAt = Date.now();
    const { status, body, afterMs } = await wait.answer;
    expect(status).toBe(200);
    expect(body.clientId).toBe('YA0003');
    expect(body.accessToken).toBe(await readToken(a, 'YA0003', 'ops'));
    // Answered on the store's signal, long before its 20 s were up (the bound is loose for a loaded machine).
    expect(Date.now() - storedAt).toBeLessThan(5_000);
    expect(afterMs).toBeLessThan(15_000);
    expect(heldWaits(b)).toBe(0);
  }, 30_000);

  it('answers 404 token_not_found when the time runs out without a token', async () => {
    const { status, body, afterMs } = await waitFor(b, '/v1/tokens/YA0004?wait=1', 'strategy-a').answer;
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'token_not_found', message: expect.stringContaining('YA0004') });
    expect(afterMs).toBeGreaterThanOrEqual(900);
  });

  it('answers wait=0 at once, as a plain read', async () => {
    const { status, body, afterMs } = await waitFor(b, '/v1/tokens/YA0004?wait=0', 'strategy-a').answer;
    expect(status).toBe(404);
    expect(body.error).toBe('token_not_found');
    expect(afterMs).toBeLessThan(5_000);
  });

  it.each([['56'], ['abc'], ['-1'], ['1.5'], ['1e1'], [''], ['100'], ['5&wait=6']])('refuses wait=%s with 400 invalid_request', async (value) => {
    const response = await b.fetch(`/v1/tokens/YA0002?wait=${value}`, { as: 'strategy-a' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'invalid_request', message: expect.stringContaining('0 to 55') });
  });

  it('checks the key may read the account before waiting: 403 at once', async () => {
    const { status, body, afterMs } = await waitFor(b, '/v1/tokens/YA0009?wait=30', 'strategy-a').answer;
    expect(status).toBe(403);
    expect(body.error).toBe('forbidden');
    expect(afterMs).toBeLessThan(5_000);
    expect(heldWaits(b)).toBe(0);
  });

  it('counts a held read once against the rate limit and audits it once, when it serves', async () => {
    const redis = cluster.redis.client();
    try {
      const counter = `token-vault:rate:client:strategy-a:${Math.floor(clock.now().getTime() / 60_000)}`;
      const before = Number((await redis.get(counter)) ?? 0);
      const wait = waitFor(b, '/v1/tokens/YA0005?wait=20', 'ops', { 'x-request-id': 'held-read-1' });
      const strategyWait = waitFor(b, '/v1/tokens/YA0004?wait=20', 'strategy-a', { 'x-request-id': 'held-read-2' });
      await until(() => heldWaits(b) === 2, 5000, 'both reads to be held');
      await a.login('YA0004', cluster.broker);
      await a.login('YA0005', cluster.broker);
      expect((await strategyWait.answer).status).toBe(200);
      expect((await wait.answer).status).toBe(200);
      expect(Number(await redis.get(counter)) - before).toBe(1);

      const trail = (query: string) => a.fetch(`/v1/audit?${query}`, { as: 'ops' }).then(json);
      const entries = [...(await trail('client=strategy-a&limit=500')).entries, ...(await trail('client=ops&limit=500')).entries];
      const held1 = entries.filter((entry: { requestId: string }) => entry.requestId === 'held-read-1');
      const held2 = entries.filter((entry: { requestId: string }) => entry.requestId === 'held-read-2');
      expect(held1).toEqual([expect.objectContaining({ action: 'read', result: 'ok', account: 'YA0005' })]);
      expect(held2).toEqual([expect.objectContaining({ action: 'read', result: 'ok', account: 'YA0004' })]);
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  it('records a wait that runs out as one failed read', async () => {
    await waitFor(b, '/v1/tokens/YA0007?wait=1', 'ops', { 'x-request-id': 'held-read-3' }).answer;
    const { entries } = await json(await a.fetch('/v1/audit?client=ops&limit=500', { as: 'ops' }));
    const mine = entries.filter((entry: { requestId: string }) => entry.requestId === 'held-read-3');
    expect(mine).toEqual([expect.objectContaining({ action: 'read', result: 'token_not_found', account: 'YA0007' })]);
  });

  it(`refuses a client more than ${BOUND} held requests on a replica with 429 and Retry-After, and no one else`, async () => {
    const waits = Array.from({ length: BOUND }, () => waitFor(b, '/v1/tokens/YA0010?wait=30', 'crowd'));
    try {
      await until(() => heldWaits(b) === BOUND, 10_000, `${BOUND} reads to be held`);
      expect(await (await b.fetch('/metrics')).text()).toContain(`token_vault_held_requests{kind="wait"} ${BOUND}`);
      const refused = await b.fetch('/v1/tokens/YA0010?wait=30', { as: 'crowd' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await json(refused)).error).toBe('rate_limited');
      // So is an event stream of the same client; another client still waits.
      expect((await b.fetch('/v1/events', { as: 'crowd' })).status).toBe(429);
      expect((await waitFor(b, '/v1/tokens/YA0010?wait=0', 'other').answer).status).toBe(404);
      // The bound is per replica.
      expect((await waitFor(a, '/v1/tokens/YA0010?wait=0', 'crowd').answer).status).toBe(404);
    } finally {
      for (const wait of waits) wait.abort();
    }
    await until(() => heldWaits(b) === 0, 5000, 'the aborted reads to be let go');
  }, 30_000);

  it('leaves nothing behind after 1,000 waits whose callers went away', async () => {
    const redis = cluster.redis.client();
    try {
      const connections = async () => String(await redis.client('LIST')).trim().split('\n').length;
      const before = { connections: await connections(), fanOut: b.app.get(EventFanOut).size };
      for (let round = 0; round < 1000 / BOUND; round += 1) {
        const waits = Array.from({ length: BOUND }, (_, index) => waitFor(b, `/v1/tokens/YB${round}X${index % 7}?wait=55`, 'crowd'));
        await until(() => heldWaits(b) === BOUND, 10_000, `round ${round}: ${BOUND} reads to be held`);
        expect(b.app.get(EventFanOut).size.waiters).toBe(BOUND);
        for (const wait of waits) wait.abort();
        await until(() => heldWaits(b) === 0, 10_000, `round ${round}: the reads to be let go`);
      }
      expect(b.app.get(EventFanOut).size).toEqual(before.fanOut);
      expect(held(b).clients).toBe(0);
      // No Redis connection was opened for a wait: the process follows the feed on one of its own.
      expect(await connections()).toBe(before.connections);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});

describe('a replica shutting down', () => {
  let fixture: VaultFixture;
  let leaving: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ clients: CLIENTS });
    leaving = fixture.vault;
  });

  afterAll(() => fixture?.close());

  it('answers its held reads 503 shutting_down and ends its event streams, then closes promptly', async () => {
    const wait = waitFor(leaving, '/v1/tokens/YA0003?wait=55', 'strategy-a');
    const stream = await EventStreamClient.open(leaving, 'ops');
    try {
      await until(() => heldWaits(leaving) === 1 && held(leaving).count('events') === 1, 5000, 'a held read and a stream');
      const started = Date.now();
      await leaving.shutDown();
      expect(Date.now() - started).toBeLessThan(10_000);
      const { status, body } = await wait.answer;
      expect(status).toBe(503);
      expect(body.error).toBe('shutting_down');
      await until(() => stream.ended, 5000, 'the stream to end');
    } finally {
      await stream.close();
    }
  }, 30_000);
});
