/** A request counted against a budget: within it, or not and for how long. */
export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts requests per tracker (a client, or an address) in the current minute, shared by every replica. A port:
 * Redis for replicas, memory for the demo.
 */
export abstract class RateLimiter {
  abstract consume(tracker: string, limitPerMinute: number): Promise<RateDecision>;
}
