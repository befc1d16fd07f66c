import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { decision, RateDecision, RateLimiter } from './rate-limiter';
import { rateWindow } from './rate-window';

/** One process's counters, by the same fixed windows as Redis's; a window's counters go when it ends. */
@Injectable()
export class MemoryRateLimiter extends RateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async consume(tracker: string, limitPerMinute: number): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    if (window.index !== this.window) {
      this.window = window.index;
      this.counts = new Map();
    }
    const count = (this.counts.get(tracker) ?? 0) + 1;
    this.counts.set(tracker, count);
    return decision(count, limitPerMinute, window, now);
  }
}
