import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { EventFanOut } from './event-fan-out';
import { EventFeed, FEED_MAX_LENGTH, Replay } from './event-feed';
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

  async after(id: string): Promise<Replay> {
    return {
      events: this.log.filter((event) => compareEventIds(event.id, id) > 0),
      retained: this.log.some((event) => event.id === id),
    };
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
