import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../src/access/clients-file';
import { ServiceClientRegistry } from '../src/access/service-client.registry';
import { HeldRequests } from '../src/token-feed/held-requests';
import { EventStreamClient, ReceivedEvent } from './support/event-stream-client';
import { ManualClock } from './support/manual-clock';
import { BASE_DAY } from './support/test-time';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

interface Held {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A request held open on a connection of its own (node:http, no pool), that the test can look at before it ends. */
function hold(vault: TestVault, path: string, key: string, requestId: string) {
  const url = new URL(vault.url);
  const outgoing = request({
    host: url.hostname,
    port: url.port,
    path,
    headers: { authorization: `Bearer ${key}`, 'x-request-id': requestId },
    agent: false,
  });
  let answered: Held | null = null;
  const answer = new Promise<Held>((resolve, reject) => {
    outgoing.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve((answered = { status: incoming.statusCode ?? 0, headers: incoming.headers, body: JSON.parse(text) })));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
  });
  answer.catch(() => undefined);
  outgoing.end();
  return { answer, answered: () => answered, abort: () => outgoing.destroy() };
}

const about = (clientId: string) => (event: ReceivedEvent) => event.data?.clientId === clientId;

/**
 * Reads that wait (`?wait=N`) and event streams, held open with a key that the clients file then takes away or
 * narrows: the replica's own watcher picks the change up, as in production, and the held request must end then,
 * having delivered nothing the key no longer allows.
 */
describe.each(['memory', 'redis'] as const)('held requests of a key the clients file changes (%s store)', (store) => {
  let fixture: VaultFixture;
  let vault: TestVault;
  let dir: string;
  let file: string;
  const keys: Record<string, string> = {};
  /** The clients file as it stands: name → accounts; `renamed` gives a client's key to another name. */
  const clients = new Map<string, { key: string; accounts: string[]; admin?: boolean }>();

  const writeClients = () =>
    writeClientsFile(
      file,
      [...clients].map(([name, { key, accounts, admin }]) => clientFor(name, key, accounts, admin ?? false)),
    );

  const add = (name: string, accounts: string[], admin = false) => {
    keys[name] = newServiceKey();
    clients.set(name, { key: keys[name], accounts, admin });
  };

  const statusOf = async (account: string, key: string) =>
    (await fetch(`${vault.url}/v1/tokens/${account}`, { headers: { authorization: `Bearer ${key}` } })).status;

  /** Once a new request with the key is answered `status`, the replica has taken the file that the test wrote. */
  const pickedUp = (account: string, key: string, status: number) =>
    until(async () => (await statusOf(account, key)) === status, 5000, `a new read to answer ${status}`);

  const heldWaits = () => vault.app.get(HeldRequests).count('wait');

  /** The trail's entries of one request, once as many as expected are written (a refusal is written after its answer). */
  async function trailOf(requestId: string, account: string, expected: number) {
    let mine: Array<Record<string, unknown>> = [];
    await until(async () => {
      const { entries } = await json(await vault.fetch(`/v1/audit?account=${account}&limit=500`, { headers: { authorization: `Bearer ${keys.ops}` } }));
      mine = entries.filter((entry: { requestId: string }) => entry.requestId === requestId);
      return mine.length >= expected;
    }, 5000, `${expected} audit entries of ${requestId}`);
    return mine;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'held-key-changes-'));
    file = join(dir, 'clients.json');
    add('ops', ['*'], true);
    add('held-removed', ['YA0003']);
    add('held-narrowed', ['YA0002', 'YA0004']);
    add('held-renamed', ['YA0005']);
    add('stream-removed', ['*']);
    add('stream-narrowed', ['YA0002', 'YA0007']);
    writeClients();
    fixture = await VaultFixture.start({
      store,
      clients: [],
      clock: new ManualClock(BASE_DAY.at('10:00')),
      // A heartbeat far off: a stream that ends, ends because its key changed, not at a ping.
      env: { VAULT_CLIENTS_FILE: file, AUTH_FAILURES_PER_MINUTE: '1000', EVENTS_HEARTBEAT_SECONDS: '300' },
    });
    vault = fixture.vault;
  });

  afterAll(async () => {
    await fixture?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ends a held read with 401 unauthorized once its key is removed, before any token comes, and serves it nothing after', async () => {
    const wait = hold(vault, '/v1/tokens/YA0003?wait=30', keys['held-removed'], 'held-removed-1');
    await until(() => heldWaits() === 1, 5000, 'the read to be held');
    clients.delete('held-removed');
    writeClients();
    await pickedUp('YA0003', keys['held-removed'], 401);
    // Ended by the change itself: no token was stored, and its 30 s are far from up.
    await until(() => wait.answered() !== null, 2000, 'the held read to be answered');
    const { status, headers, body } = await wait.answer;
    expect(status).toBe(401);
    expect(headers['www-authenticate']).toBeDefined();
    expect(body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(heldWaits()).toBe(0);
    expect(vault.app.get(HeldRequests).clients).toBe(0);
    expect(await (await vault.fetch('/metrics')).text()).toContain('token_vault_held_requests{kind="wait"} 0');

    await vault.login('YA0003', fixture.broker);
    // Refused as any request without a valid key is: no client named, and no read of the token by anyone.
    expect(await trailOf('held-removed-1', 'YA0003', 1)).toEqual([
      expect.objectContaining({ action: 'refused', result: 'unauthorized', client: null, account: 'YA0003' }),
    ]);
    const reads = await json(await vault.fetch('/v1/audit?account=YA0003&action=read&kind=done&limit=500', { headers: { authorization: `Bearer ${keys.ops}` } }));
    expect(reads.entries).toEqual([]);
  }, 20_000);

  it('ends a held read with 403 forbidden once its key no longer covers the account', async () => {
    const wait = hold(vault, '/v1/tokens/YA0004?wait=30', keys['held-narrowed'], 'held-narrowed-1');
    await until(() => heldWaits() === 1, 5000, 'the read to be held');
    clients.set('held-narrowed', { key: keys['held-narrowed'], accounts: ['YA0002'] });
    writeClients();
    await pickedUp('YA0004', keys['held-narrowed'], 403);
    await until(() => wait.answered() !== null, 2000, 'the held read to be answered');
    const { status, body } = await wait.answer;
    expect(status).toBe(403);
    expect(body).toEqual({ error: 'forbidden', message: expect.stringContaining('YA0004') });
    expect(heldWaits()).toBe(0);

    await vault.login('YA0004', fixture.broker);
    expect(await trailOf('held-narrowed-1', 'YA0004', 1)).toEqual([
      expect.objectContaining({ action: 'refused', result: 'forbidden', client: 'held-narrowed', account: 'YA0004' }),
    ]);
    // The key still reads what it is left with.
    expect(await statusOf('YA0002', keys['held-narrowed'])).toBe(404);
  }, 20_000);

  it('serves a held read, when its token comes, as the client that holds the key then', async () => {
    const key = keys['held-renamed'];
    const wait = hold(vault, '/v1/tokens/YA0005?wait=30', key, 'held-renamed-1');
    await until(() => heldWaits() === 1, 5000, 'the read to be held');
    // The same key under another name: the client the read began with is gone from the file.
    clients.delete('held-renamed');
    clients.set('held-renamed-now', { key, accounts: ['YA0005'] });
    writeClients();
    const registry = vault.app.get(ServiceClientRegistry);
    await until(() => registry.authenticate(key)?.name === 'held-renamed-now', 5000, 'the rename to be picked up');
    await vault.login('YA0005', fixture.broker);
    const { status, body } = await wait.answer;
    expect(status).toBe(200);
    expect(body.clientId).toBe('YA0005');
    expect(await trailOf('held-renamed-1', 'YA0005', 1)).toEqual([
      expect.objectContaining({ action: 'read', result: 'ok', client: 'held-renamed-now', account: 'YA0005' }),
    ]);
  }, 20_000);

  it('ends the event stream of a removed key once the change is picked up, and sends it nothing after', async () => {
    const stream = await EventStreamClient.open({ url: vault.url, keys }, 'stream-removed');
    try {
      expect(stream.status).toBe(200);
      await vault.login('YA0006', fixture.broker);
      await stream.next(about('YA0006'), 5000, 'the store of YA0006');
      clients.delete('stream-removed');
      writeClients();
      await pickedUp('YA0006', keys['stream-removed'], 401);
      // No event and no heartbeat came since: the change itself ended it.
      await until(() => stream.ended, 2000, 'the stream to end');
      await vault.fetch('/v1/tokens/YA0006', { method: 'DELETE', headers: { authorization: `Bearer ${keys.ops}` } });
      expect(stream.events.filter(about('YA0006')).map((event) => event.event)).toEqual(['token.stored']);
    } finally {
      await stream.close();
    }
  }, 20_000);

  it('ends the event stream of a key narrowed away from an account, so that nothing queued for it under its old scope follows', async () => {
    const stream = await EventStreamClient.open({ url: vault.url, keys }, 'stream-narrowed');
    try {
      await vault.login('YA0007', fixture.broker);
      await stream.next(about('YA0007'), 5000, 'the store of YA0007');
      clients.set('stream-narrowed', { key: keys['stream-narrowed'], accounts: ['YA0002'] });
      writeClients();
      await pickedUp('YA0007', keys['stream-narrowed'], 403);
      await until(() => stream.ended, 2000, 'the stream to end');
      await vault.fetch('/v1/tokens/YA0007', { method: 'DELETE', headers: { authorization: `Bearer ${keys.ops}` } });
      expect(stream.events.filter(about('YA0007')).map((event) => event.event)).toEqual(['token.stored']);
    } finally {
      await stream.close();
    }
    // Reconnected, as an EventSource does, it hears only of what the key may read now.
    const again = await EventStreamClient.open({ url: vault.url, keys }, 'stream-narrowed');
    try {
      await vault.login('YA0007', fixture.broker);
      await vault.login('YA0002', fixture.broker);
      await again.next(about('YA0002'), 5000, 'the store of YA0002');
      expect(again.text).not.toContain('YA0007');
    } finally {
      await again.close();
    }
  }, 20_000);
});
