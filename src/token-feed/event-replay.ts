import { Injectable } from '@nestjs/common';
import { EventFeed } from './event-feed';
import { compareEventIds, FeedEvent, nextEventId } from './feed-event';
import { TokenFeedSettings } from './token-feed.config';
import { FairTurns } from '../concurrency/fair-turns';

/**
 * Entries asked of the log at once, and replays reading it at once on a replica. Every read of a replay is small,
 * and few are out together, so replays put at most a few hundred short entries ahead of a token read on the shared
 * Redis connection, and hold little memory however many streams resume (300 at once, with nothing but the pages to
 * limit them, grew the process by over 100 MB). Their failures count towards the Redis breaker like any command's,
 * deliberately: no read of theirs is large enough to time out by its own size, so one that times out says what any
 * other would, that Redis or the connection is in trouble.
 */
const PAGE = 100;
const REPLAYS_AT_ONCE = 4;

/** What a stream resumed after an event id (Last-Event-ID) is sent before it goes live. */
export interface Replay {
  /** The events after the id that the stream's key may read, oldest first; none with a reset. */
  events: FeedEvent[];
  /** What came after the id cannot be replayed (no longer kept, or too much of it): the client must read again. */
  reset: boolean;
  /**
   * The id of the last entry gone through: live events up to it were replayed or not the key's. With a reset, the
   * newest entry kept when the reset was decided (null when none is), for the client to resume from.
   */
  through: string | null;
}

const GONE: Replay = { events: [], reset: true, through: null };

/**
 * Replays the feed after a Last-Event-ID, for either store. Its cost is bounded whoever asks: the log is read a page
 * at a time, each page filtered by what the key may read before the next is asked for, and at most
 * EVENTS_REPLAY_MAX entries (of every account) are read; a stream further behind than that, or behind the oldest
 * entry kept, gets a reset instead. Whether to reset is decided from the oldest entry kept and how many came after
 * the id, never from whether the id itself is kept: a key must not learn whether an id of an account it may not read
 * exists.
 */
@Injectable()
export class EventReplay {
  private readonly turns = new FairTurns(REPLAYS_AT_ONCE);

  constructor(
    private readonly feed: EventFeed,
    private readonly settings: TokenFeedSettings,
  ) {}

  /**
   * `client`: whose replay it is; turns go round the clients waiting, so one that resumes many streams at once waits
   * behind itself. `gone`: the client left, and nothing more is read for it.
   */
  after(client: string, id: string, visible: (event: FeedEvent) => boolean, gone: () => boolean): Promise<Replay> {
    return this.turns.run(client, () => this.read(id, visible, gone));
  }

  private async read(id: string, visible: (event: FeedEvent) => boolean, gone: () => boolean): Promise<Replay> {
    const most = this.settings.replayMost;
    const start = nextEventId(id);
    if (gone()) return GONE;
    if (await this.lost(start)) return this.reset();
    const events: FeedEvent[] = [];
    let through = id;
    let read = 0;
    for (let from = start; from !== null; from = nextEventId(through)) {
      if (gone()) return GONE;
      // One more than the bound, to tell a replay of exactly the bound from a longer one.
      const count = Math.min(PAGE, most + 1 - read);
      const page = await this.feed.page(from, count);
      read += page.read;
      if (read > most) return this.reset();
      for (const event of page.events) if (visible(event)) events.push(event);
      if (page.last !== null) through = page.last;
      if (page.read < count) break;
    }
    // The log is trimmed from its start as events come: if it passed `start` while the pages were read, some of what
    // came after the id went unread.
    if (await this.lost(start)) return this.reset();
    return { events, reset: false, through };
  }

  /**
   * A reset names the newest entry kept: the client resumes after it when it reconnects, rather than from the same
   * old id, which would only be reset again.
   */
  private async reset(): Promise<Replay> {
    return { events: [], reset: true, through: await this.feed.newest() };
  }

  /** Whether entries from `start` on may be missing: the oldest kept is after it, or none is (the log was emptied). */
  private async lost(start: string | null): Promise<boolean> {
    const oldest = await this.feed.oldest();
    return oldest === null || (start !== null && compareEventIds(oldest, start) > 0);
  }
}
