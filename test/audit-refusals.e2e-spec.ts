import { FakePocketful } from './support/fake-pocketful';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

interface Entry {
  id: string;
  action: string;
  result: string;
  client: string | null;
  requestId: string | null;
}
interface Page {
  entries: Entry[];
  next: string | null;
}

/** The smallest trail the configuration allows, so that five times it is a quick flood. */
const CAP = 100;
/** Redis trims whole stream nodes (`MAXLEN ~`), of a hundred entries by default: a stream keeps up to a node more. */
const NODE = 100;
const FLOOD = 5 * CAP;
const KEPT_READS = 20;

/** The merged order as the README states it, written here again: newer time, then sequence, then done before refused. */
function newerFirst(a: string, b: string): number {
  const place = (id: string) => {
    const [ms, seq, mark] = id.split('-');
    return [Number(ms), Number(seq), mark === 'r' ? 0 : 1];
  };
  const [x, y] = [place(a), place(b)];
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
}

/** Every entry a query finds, `limit` at a time, following `next` to the end. */
async function everything(vault: TestVault, query: string, limit = 500): Promise<Entry[]> {
  const found: Entry[] = [];
  let next: string | null = null;
  for (let pages = 0; pages < 2_000; pages += 1) {
    const response = await vault.fetch(`/v1/audit?limit=${limit}${query ? `&${query}` : ''}${next ? `&before=${next}` : ''}`, { as: 'ops' });
    expect(response.status).toBe(200);
    const page: Page = await json(response);
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    found.push(...page.entries);
    next = page.next;
    if (next === null) return found;
  }
  throw new Error(`the trail did not end after 2,000 pages of ${query}`);
}

describe.each(['redis', 'memory'] as const)('refused requests, kept apart from the trail (%s store)', (store) => {
  let fixture: VaultFixture;
  let redis: TestRedis | null = null;
  let broker: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ store, env: { AUDIT_MAX_LENGTH: String(CAP), RATE_LIMIT_PER_MINUTE: '1000000' } });
    ({ broker, vault } = fixture);
    if (store === 'redis') redis = fixture.redis;
  });

  afterAll(() => fixture?.close());

  it(`keeps every read and store through a flood of ${FLOOD} refused requests, five times AUDIT_MAX_LENGTH`, async () => {
    expect((await vault.login('YA0002', broker)).status).toBe(200);
    for (let index = 0; index < KEPT_READS; index += 1) {
      const read = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: { 'x-request-id': `kept-${index}` } });
      expect(read.status).toBe(200);
      await read.text();
    }

    // Nobody needs a key for these: no key, a wrong key (429 once the address failed too often), and a login
    // callback without its state, open to anyone while ADMIN_AUTH=none. A client's forbidden reads, too.
    const refused: Array<(requestId: string) => Promise<Response>> = [
      (id) => vault.fetch('/v1/tokens/YA0002', { headers: { 'x-request-id': id } }),
      (id) => vault.fetch('/v1/tokens/YA0002', { headers: { 'x-request-id': id, authorization: 'Bearer tvk_wrong' } }),
      (id) => vault.fetch('/pocketful/callback?code=anything', { headers: { 'x-request-id': id } }),
      (id) => vault.fetch('/v1/tokens/YA0003', { as: 'strategy-a', headers: { 'x-request-id': id } }),
    ];
    const statuses = new Set<number>();
    for (let sent = 0; sent < FLOOD; sent += 50) {
      const batch = Array.from({ length: 50 }, (_, offset) => sent + offset);
      for (const response of await Promise.all(batch.map((index) => refused[index % refused.length](`flood-${index}`)))) {
        statuses.add(response.status);
        await response.text();
      }
    }
    expect([...statuses].every((status) => status >= 400 && status < 500)).toBe(true);
    expect([...statuses]).toEqual(expect.arrayContaining([401, 403, 429]));

    // What was done is all there, and nothing else: the store and every read.
    const done = await everything(vault, 'kind=done');
    expect(done.map((entry) => [entry.action, entry.result])).toEqual([...Array(KEPT_READS).fill(['read', 'ok']), ['store', 'ok']]);
    expect(done.map((entry) => entry.requestId).slice(0, KEPT_READS).sort()).toEqual(Array.from({ length: KEPT_READS }, (_, index) => `kept-${index}`).sort());

    // The probe's query, paged through: the client's refusals first, then every one of its reads.
    const theClient = await everything(vault, 'client=strategy-a', 50);
    const reads = theClient.filter((entry) => entry.action === 'read' && entry.result === 'ok').map((entry) => entry.requestId);
    expect(reads).toHaveLength(KEPT_READS);
    expect(theClient[0]).toMatchObject({ action: 'refused', result: 'forbidden' });

    // The refusals are served too, the newest of them, bounded on their own.
    const refusals = await everything(vault, 'kind=refused');
    expect(refusals.length).toBeGreaterThanOrEqual(CAP);
    expect(refusals.length).toBeLessThan(store === 'redis' ? CAP + NODE : CAP + 1);
    expect(refusals.every((entry) => entry.requestId?.startsWith('flood-') && entry.id.endsWith('-r'))).toBe(true);
    const failedLogins = refusals.filter((entry) => entry.action === 'store');
    expect(failedLogins.length).toBeGreaterThan(0);
    expect(failedLogins.every((entry) => entry.result !== 'ok')).toBe(true);
    const turnedAway = new Set(refusals.filter((entry) => entry.action !== 'store').map((entry) => `${entry.action} ${entry.result}`));
    expect(turnedAway).toContain('refused forbidden');
    expect([...turnedAway].filter((kind) => !['refused unauthorized', 'refused rate_limited', 'refused forbidden'].includes(kind))).toEqual([]);
    if (redis) {
      const client = redis.client();
      try {
        expect(await client.xlen('token-vault:audit')).toBe(KEPT_READS + 1);
        expect(await client.xlen('token-vault:audit:refusals')).toBe(refusals.length);
      } finally {
        client.disconnect();
      }
    }
  }, 60_000);

  it('pages through both, merged newest first, with any limit, skipping and repeating nothing', async () => {
    const all = await everything(vault, '');
    expect(all.length).toBeGreaterThan(KEPT_READS + CAP);
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);
    expect(all.map((entry) => entry.id)).toEqual([...all.map((entry) => entry.id)].sort(newerFirst));

    for (const limit of [1, 7, 64]) {
      expect((await everything(vault, '', limit)).map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
    }
    const ofTheClient = all.filter((entry) => entry.client === 'strategy-a').map((entry) => entry.id);
    expect((await everything(vault, 'client=strategy-a', 3)).map((entry) => entry.id)).toEqual(ofTheClient);
  }, 60_000);

  it('filters by action and by kind', async () => {
    const all = await everything(vault, '');
    const ids = async (query: string) => (await everything(vault, query, 9)).map((entry) => entry.id);
    expect(await ids('action=refused')).toEqual(all.filter((entry) => entry.action === 'refused').map((entry) => entry.id));
    // A failed login is kept with the refusals, and still found under its action.
    const stores = all.filter((entry) => entry.action === 'store');
    expect(stores.some((entry) => entry.result === 'ok') && stores.some((entry) => entry.result !== 'ok')).toBe(true);
    expect(await ids('action=store,read')).toEqual(all.filter((entry) => ['store', 'read'].includes(entry.action)).map((entry) => entry.id));
    expect(await ids('kind=refused&action=read')).toEqual([]);
    for (const query of ['?kind=all', '?kind=', '?action=readx', '?action=read,', '?action=', '?before=1-2-x', '?before=1-2-rr']) {
      const response = await vault.fetch(`/v1/audit${query}`, { as: 'ops' });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe('invalid_request');
    }
  });
});

describe('the merged trail, where both streams hold the same ids', () => {
  let fixture: VaultFixture;
  let vault: TestVault;
  const PREFIX = 'same-ids:';
  // Written by hand: the ids each stream would make for entries in the same milliseconds.
  const done = ['4000000000000-0', '4000000000000-1', '4000000000001-0'];
  const refused = ['4000000000000-0', '4000000000000-1', '4000000000000-2', '4000000000001-0'];

  beforeAll(async () => {
    // The trail is written before the vault starts.
    fixture = await VaultFixture.start({ env: { REDIS_KEY_PREFIX: PREFIX }, replicas: 0 });
    const client = fixture.redis.client();
    try {
      for (const id of done) await client.xadd(`${PREFIX}audit`, id, 'e', `read|ok|strategy-a|YA0002|done-${id}|10.0.0.1|Qm3v0x9Yc2aLw8Tr`);
      for (const id of refused) await client.xadd(`${PREFIX}audit:refusals`, id, 'e', `refused|unauthorized||YA0002|refused-${id}|10.0.0.9|`);
    } finally {
      client.disconnect();
    }
    vault = await fixture.another();
  });

  afterAll(() => fixture?.close());

  it('orders the same id done before refused, and pages across it with any limit', async () => {
    const expected = [
      'done-4000000000001-0',
      'refused-4000000000001-0',
      'refused-4000000000000-2',
      'done-4000000000000-1',
      'refused-4000000000000-1',
      'done-4000000000000-0',
      'refused-4000000000000-0',
    ];
    for (const limit of [1, 2, 3, 4, 500]) {
      expect((await everything(vault, '', limit)).map((entry) => entry.requestId)).toEqual(expected);
    }
    const all = await everything(vault, '');
    expect(all[0].id).toBe('4000000000001-0');
    expect(all[1].id).toBe('4000000000001-0-r');
    // Time filters bound both streams alike.
    const until = encodeURIComponent(new Date(4000000000000).toISOString());
    expect((await everything(vault, `until=${until}`, 2)).map((entry) => entry.requestId)).toEqual(expected.slice(2));
    // A `next` handed out before refusals had their stream (a plain id) still pages on.
    expect((await everything(vault, 'before=4000000000000-1')).map((entry) => entry.requestId)).toEqual(expected.slice(4));
  });
});
