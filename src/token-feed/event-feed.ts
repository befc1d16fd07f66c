import { FeedEntry, FeedEvent } from './feed-event';

/** About as many events as the stream keeps: a day of logins, deletes and expiries of a large desk. */
export const FEED_MAX_LENGTH = 10_000;

/** What a stream resumed after an event id (Last-Event-ID) finds. */
export interface Replay {
  /** The events after the id, oldest first. */
  events: FeedEvent[];
  /** False when the id is no longer kept (trimmed away, or never given): events after it may have been lost. */
  retained: boolean;
}

/**
 * The token events of every replica, in one order, with ids: kept in a bounded log (a Redis stream, or memory) for
 * streams that resume, and delivered once to this process's EventFanOut as they arrive, from whichever replica
 * appended them. A port bound to Redis or memory by TOKEN_STORE.
 */
export abstract class EventFeed {
  /** Appends an event for every replica; it reaches this process's EventFanOut through the feed like any other. */
  abstract append(entry: FeedEntry): Promise<void>;

  abstract after(id: string): Promise<Replay>;
}
