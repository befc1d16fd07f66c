import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { EventFanOut } from './event-fan-out';
import { EventFeed, FEED_MAX_LENGTH, FeedPage } from './event-feed';
import { compareEventIds, FeedEntry, FeedEvent } from './feed-event';

/** One process is its own only replica: the log is an array, with ids made as Redis makes a stream's. */
@Injectable()
export class MemoryEventFeed extends EventFeed {
  private readonly log: FeedEvent[] = [];
  private lastMs = 0;
  private sequence = 0;

  constructor(
    private readonly clock: Clock,
    private readonly fanOut: EventFanOut,
  ) {
    super();
  }

  async append(entry: FeedEntry): Promise<void> {
    const event: FeedEvent = { ...entry, id: this.nextId() };
    this.log.push(event);
    if (this.log.length > FEED_MAX_LENGTH) this.log.splice(0, this.log.length - FEED_MAX_LENGTH);
    this.fanOut.deliver(event);
  }

  async oldest(): Promise<string | null> {
    return this.log[0]?.id ?? null;
  }

  async newest(): Promise<string | null> {
    return this.log.at(-1)?.id ?? null;
  }

  async page(from: string, count: number): Promise<FeedPage> {
    const start = this.firstAtOrAfter(from);
    const events = this.log.slice(start, start + count);
    return { events, read: events.length, last: events.at(-1)?.id ?? null };
  }

  /** The log is in id order: where `id` is, or would be. */
  private firstAtOrAfter(id: string): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareEventIds(this.log[middle].id, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Never smaller than the last, even when the clock stands still or steps back. */
  private nextId(): string {
    const ms = this.clock.now().getTime();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.sequence = 0;
    } else {
      this.sequence += 1;
    }
    return `${this.lastMs}-${this.sequence}`;
  }
}
