import { mayRead } from '../access/service-client';
import { ManualClock } from '../../test/support/manual-clock';
import { EventFanOut } from './event-fan-out';
import { FEED_MAX_LENGTH, FeedPage } from './event-feed';
import { EventReplay } from './event-replay';
import { FeedEvent } from './feed-event';
import { MemoryEventFeed } from './memory-event-feed';
import { TokenFeedSettings } from './token-feed.config';

/** The memory feed, telling how much of it each replay asked for and read. */
class WatchedFeed extends MemoryEventFeed {
  readonly asked: number[] = [];
  read = 0;
  /** Runs after each page is read, before the replay has it. */
  afterPage: () => Promise<void> | void = () => undefined;
  readonly appended: FeedEvent[] = [];

  constructor(readonly time: ManualClock) {
    const fanOut = new EventFanOut();
    super(time, fanOut);
    fanOut.subscribe((event) => this.appended.push(event));
  }

  override async page(from: string, count: number): Promise<FeedPage> {
    this.asked.push(count);
    const page = await super.page(from, count);
    this.read += page.read;
    await this.afterPage();
    return page;
  }

  /** Appends `count` events for the account, and gives back the last. */
  async add(clientId: string, count = 1): Promise<FeedEvent> {
    for (let index = 0; index < count; index += 1) {
      await this.append({ type: 'token.stored', body: { clientId, expiresAt: null, at: '2026-11-23T10:00:00+05:30' } });
    }
    return this.appended[this.appended.length - 1];
  }
}

/** What a key allowed `accounts` may read. */
const allowed =
  (...accounts: string[]) =>
  (event: FeedEvent) =>
    mayRead({ name: 'reader', keySha256: '', accounts, admin: false }, event.body.clientId);
const still = () => false;

describe(EventReplay.name, () => {
  let feed: WatchedFeed;
  const replay = (replayMost = 1_000) => new EventReplay(feed, new TokenFeedSettings({ heldPerClient: 100, heartbeatMs: 15_000, replayMost }));

  beforeEach(() => {
    feed = new WatchedFeed(new ManualClock('2026-11-23T10:00:00+05:30'));
  });

  it('replays what came after the id that the key may read, and says how far it went', async () => {
    const sut = replay();
    const from = await feed.add('YA0002');
    await feed.add('YA0004');
    const mine = await feed.add('YA0002');
    const last = await feed.add('YA0004');
    expect(await sut.after('strategy', from.id, allowed('YA0002'), still)).toEqual({ events: [mine], reset: false, through: last.id });
    expect((await sut.after('strategy', from.id, allowed('*'), still)).events).toHaveLength(3);
  });

  it('answers an id that is kept and one that never was alike: a key learns nothing of ids it may not read', async () => {
    const sut = replay();
    await feed.add('YA0004');
    const other = await feed.add('YA0004');
    feed.time.advance(10);
    const mine = await feed.add('YA0002');
    // Between `other` and `mine`: no event ever had it.
    const never = `${other.id.split('-')[0]}-900`;
    const answers = await Promise.all([other.id, never].map((id) => sut.after('strategy', id, allowed('YA0002'), still)));
    expect(answers).toEqual([
      { events: [mine], reset: false, through: mine.id },
      { events: [mine], reset: false, through: mine.id },
    ]);
  });

  it('resets a stream behind the oldest event kept without reading a page, naming the newest kept to resume from; on an emptied log, none', async () => {
    const sut = replay();
    const gone = await feed.add('YA0002');
    // The one right after it too: an oldest kept right after the id would mean nothing was lost.
    const newest = await feed.add('YA0004', FEED_MAX_LENGTH + 1);
    expect(await sut.after('strategy', gone.id, allowed('*'), still)).toEqual({ events: [], reset: true, through: newest.id });
    expect(feed.asked).toEqual([]);
    // Resumed from there, nothing is lost: no second reset.
    expect(await sut.after('strategy', newest.id, allowed('*'), still)).toEqual({ events: [], reset: false, through: newest.id });

    feed = new WatchedFeed(new ManualClock('2026-11-23T10:00:00+05:30'));
    expect(await replay().after('strategy', gone.id, allowed('*'), still)).toEqual({ events: [], reset: true, through: null });
  });

  it('goes back over at most EVENTS_REPLAY_MAX events of every account, in pages of 100 at most, then resets', async () => {
    const sut = replay(250);
    const from = await feed.add('YA0002');
    await feed.add('YA0004', 250);
    const exactly = await sut.after('strategy', from.id, allowed('*'), still);
    expect(exactly.reset).toBe(false);
    expect(exactly.events).toHaveLength(250);

    const newest = await feed.add('YA0004', 1_000);
    feed.asked.length = 0;
    feed.read = 0;
    // A key that may read none of them costs no more than one that may read all.
    expect(await sut.after('strategy', from.id, allowed('YA0002'), still)).toEqual({ events: [], reset: true, through: newest.id });
    expect(feed.read).toBe(251);
    expect(Math.max(...feed.asked)).toBeLessThanOrEqual(100);
  });

  it('replays nothing, and does not reset, after the newest event or the largest id there can be', async () => {
    const sut = replay();
    const newest = await feed.add('YA0002');
    const later = `${Number(newest.id.split('-')[0]) + 60_000}-0`;
    for (const id of [newest.id, later, '18446744073709551615-18446744073709551615']) {
      expect(await sut.after('strategy', id, allowed('*'), still)).toEqual({ events: [], reset: false, through: id });
    }
  });

  it('resets when the log was trimmed past the id while it was being read', async () => {
    // Beyond what EVENTS_REPLAY_MAX allows, so that it is the trimming that resets, not the bound.
    const sut = replay(2 * FEED_MAX_LENGTH);
    const from = await feed.add('YA0002');
    await feed.add('YA0002', 300);
    let trimmed = false;
    feed.afterPage = async () => {
      if (trimmed) return;
      trimmed = true;
      // Pushes out the first 151 events: the next page, from the 101st, would start past what it has not read.
      await feed.add('YA0004', FEED_MAX_LENGTH - 150);
    };
    expect(await sut.after('strategy', from.id, allowed('*'), still)).toEqual({ events: [], reset: true, through: feed.appended.at(-1)!.id });
    expect(feed.read).toBe(100 + FEED_MAX_LENGTH);
  });

  it('reads no further for a client that left', async () => {
    const sut = replay();
    const from = await feed.add('YA0002');
    await feed.add('YA0002', 500);
    let left = false;
    feed.afterPage = () => void (left = true);
    expect((await sut.after('strategy', from.id, allowed('*'), () => left)).reset).toBe(true);
    expect(feed.asked).toHaveLength(1);
  });

  it('has four replays reading at once, the others waiting their turn', async () => {
    const sut = replay();
    const from = await feed.add('YA0002');
    await feed.add('YA0002', 10);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    feed.afterPage = () => gate;
    const replays = Array.from({ length: 6 }, () => sut.after('strategy', from.id, allowed('*'), still));
    await new Promise((resolve) => setImmediate(resolve));
    expect(feed.asked).toHaveLength(4);
    open();
    const done = await Promise.all(replays);
    expect(done.map((answer) => answer.events.length)).toEqual(Array(6).fill(10));
    expect(feed.asked).toHaveLength(6);
  });
});
