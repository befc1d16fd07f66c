import { FeedEntry, FeedEvent } from './feed-event';

/** About as many events as the stream keeps: a day of logins, deletes and expiries of a large desk. */
export const FEED_MAX_LENGTH = 10_000;

/** Consecutive entries of the log, as read. */
export interface FeedPage {
  /** The entries this version can read, oldest first. */
  events: FeedEvent[];
  /** How many entries were read, readable or not: fewer than asked means the log ends there. */
  read: number;
  /** The id of the last entry read; null when none was. */
  last: string | null;
}

/**
 * The token events of every replica, in one order, with ids: kept in a bounded log (a Redis stream, or memory) for
 * streams that resume, and delivered once to this process's EventFanOut as they arrive, from whichever replica
 * appended them. A port bound to Redis or memory by TOKEN_STORE. Streams resume through EventReplay, which reads
 * the log a page at a time.
 */
export abstract class EventFeed {
  /** Appends an event for every replica; it reaches this process's EventFanOut through the feed like any other. */
  abstract append(entry: FeedEntry): Promise<void>;

  /** The id of the oldest entry kept; null when none is. */
  abstract oldest(): Promise<string | null>;

  /** The id of the newest entry kept; null when none is. */
  abstract newest(): Promise<string | null>;

  /** Up to `count` entries from the id `from` on, `from` included. */
  abstract page(from: string, count: number): Promise<FeedPage>;
}
