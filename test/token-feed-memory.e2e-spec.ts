import { request } from 'node:http';
import { HeldRequests } from '../src/token-feed/held-requests';
import { EventFanOut } from '../src/token-feed/event-fan-out';
import { closeAll } from './support/close-all';
import { EventStreamClient, ReceivedEvent } from './support/event-stream-client';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { BASE_DAY, istIso } from './support/test-time';
import { readToken } from './support/token-requests';
import { TestVault } from './support/test-vault';
import { until } from './support/until';

const about = (clientId: string, type: string) => (event: ReceivedEvent) => event.event === type && event.data.clientId === clientId;

/** A read on a connection of its own, that the test can cut off. */
function send(vault: TestVault, path: string, as: string) {
  const url = new URL(vault.url);
  const outgoing = request({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${vault.keys[as]}` }, agent: false });
  const answer = new Promise<{ status: number; body: { error?: string; accessToken?: string } }>((resolve, reject) => {
    outgoing.on('response', (incoming) => {
      let text = '';
      incoming.on('data', (chunk) => (text += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) }));
    });
    outgoing.on('error', reject);
  });
  answer.catch(() => undefined);
  outgoing.end();
  return { answer, abort: () => outgoing.destroy() };
}

describe('waits and events with the memory store', () => {
  let broker: FakePocketful;
  let vault: TestVault;
  const streams: EventStreamClient[] = [];
  const clock = new ManualClock(BASE_DAY.at('10:00'));

  beforeAll(async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({
      broker,
      clock,
      env: { EVENTS_REPLAY_MAX: '3' },
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'strategy-a', accounts: ['YA0002'] },
      ],
    });
  });

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.close()));
  });

  afterAll(() => closeAll(() => vault?.close(), () => broker?.stop()));

  async function open(as: string, lastEventId?: string): Promise<EventStreamClient> {
    const stream = await EventStreamClient.open(vault, as, { lastEventId });
    streams.push(stream);
    return stream;
  }

  it('answers a held read when a login stores the token', async () => {
    const wait = send(vault, '/v1/tokens/YA0002?wait=20', 'strategy-a');
    await until(() => vault.app.get(HeldRequests).count('wait') === 1, 5000, 'the read to be held');
    await vault.login('YA0002', broker);
    const { status, body } = await wait.answer;
    expect(status).toBe(200);
    expect(body.accessToken).toBe(await readToken(vault, 'YA0002', 'ops'));
  }, 30_000);

  it('answers 404 when the wait runs out, and lets go of reads whose callers left', async () => {
    expect((await send(vault, '/v1/tokens/YA0003?wait=1', 'ops').answer).status).toBe(404);
    const waits = Array.from({ length: 50 }, () => send(vault, '/v1/tokens/YA0003?wait=30', 'ops'));
    await until(() => vault.app.get(HeldRequests).count('wait') === 50, 5000, 'the reads to be held');
    for (const wait of waits) wait.abort();
    await until(() => vault.app.get(HeldRequests).count('wait') === 0, 5000, 'the reads to be let go');
    expect(vault.app.get(EventFanOut).size.waiters).toBe(0);
  });

  it('streams stores and deletes to the keys that may read the account, and resumes after Last-Event-ID', async () => {
    const everything = await open('ops');
    const scoped = await open('strategy-a');
    await vault.login('YA0004', broker);
    await vault.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'DELETE' });
    const removed = await scoped.next(about('YA0002', 'token.removed'));
    expect(removed.data).toEqual({ clientId: 'YA0002', expiresAt: istIso(BASE_DAY.plus(1).at('00:00')), at: istIso(BASE_DAY.at('10:00')), reason: 'deleted' });
    await everything.next(about('YA0002', 'token.removed'));
    const stored = everything.events.find(about('YA0004', 'token.stored'))!;
    expect(scoped.events.map((event) => event.data.clientId)).toEqual(['YA0002']);

    const resumed = await open('ops', stored.id!);
    await resumed.next(about('YA0002', 'token.removed'));
    expect(resumed.events.map((event) => [event.event, event.data.clientId])).toEqual([['token.removed', 'YA0002']]);

    const unknown = await open('ops', '1-0');
    await vault.login('YA0005', broker);
    await unknown.next(about('YA0005', 'token.stored'));
    expect(unknown.events[0].event).toBe('reset');
  });

  it('decides a reset as the Redis store does: never by whether an id of another account is kept', async () => {
    const everything = await open('ops');
    await vault.login('YA0006', broker);
    const other = await everything.next(about('YA0006', 'token.stored'));
    clock.advance(1000);
    await vault.login('YA0002', broker);
    await everything.next(about('YA0002', 'token.stored'));
    // Later than YA0006's event, earlier than YA0002's: no event ever had it.
    const never = `${other.id!.split('-')[0]}-99`;
    for (const id of [other.id!, never]) {
      const resumed = await open('strategy-a', id);
      await resumed.next(about('YA0002', 'token.stored'));
      expect(resumed.events.map((event) => event.event)).toEqual(['token.stored']);
    }
  });

  it('goes back over at most EVENTS_REPLAY_MAX events, and sends reset to a stream further behind', async () => {
    const everything = await open('ops');
    for (const account of ['YA0007', 'YA0008', 'YA0009', 'YA0010', 'YA0011']) await vault.login(account, broker);
    await everything.next(about('YA0011', 'token.stored'));
    const [first, second] = everything.events;
    // Three events back: replayed.
    const within = await open('ops', second.id!);
    await within.next(about('YA0011', 'token.stored'));
    expect(within.events.map((event) => event.data.clientId)).toEqual(['YA0009', 'YA0010', 'YA0011']);
    // Four: reset, and live from there.
    const behind = await open('ops', first.id!);
    await behind.next((event) => event.event === 'reset');
    await vault.login('YA0012', broker);
    await behind.next(about('YA0012', 'token.stored'));
    expect(behind.events.map((event) => event.event)).toEqual(['reset', 'token.stored']);
  });

  it.each([['99999999999999999999-0'], ['1-x']])('refuses Last-Event-ID %s with 400 invalid_last_event_id', async (lastEventId) => {
    const response = await vault.fetch('/v1/events', { as: 'ops', headers: { 'last-event-id': lastEventId } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error?: string }).error).toBe('invalid_last_event_id');
  });
});
