import { rateLimited } from '../errors/rate-limited';
import { RateWindow, retryAfterSeconds } from './rate-window';

/** A request counted against a budget: within it, or not and for how long. */
export interface RateDecision {
  allowed: boolean;
  /** The first request of the window past the budget, on whichever replica counted it: the one to say so. */
  firstRefusal: boolean;
  retryAfterSeconds: number;
}

/** The decision for a request that is the count-th of its tracker in the window. */
export function decision(count: number, limitPerMinute: number, window: RateWindow, now: number): RateDecision {
  return { allowed: count <= limitPerMinute, firstRefusal: count === limitPerMinute + 1, retryAfterSeconds: retryAfterSeconds(window, now) };
}

/** What a replica says once a window when a tracker goes past its budget (its further refusals log at debug). */
export function overLimitWarning(tracker: string, limitPerMinute: number): string {
  return `${tracker} went past ${limitPerMinute} requests a minute; its further requests get 429 for the rest of the minute`;
}

/** The 429 of a tracker past its budget, the same from the guard and from the token read. */
export function overLimit(retryAfterSeconds: number, limitPerMinute: number) {
  return rateLimited(retryAfterSeconds, `more than ${limitPerMinute} requests a minute`);
}

/**
 * Counts requests per tracker (a client, or an address) in the current minute, shared by every replica. A port:
 * Redis for replicas, memory for the demo.
 */
export abstract class RateLimiter {
  abstract consume(tracker: string, limitPerMinute: number): Promise<RateDecision>;
}
