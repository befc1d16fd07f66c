import { retryAfterOf } from '../errors/rate-limited';

export const RATE_WINDOW_MS = 60_000;
/** A window's counter outlives the window a little, for a replica whose clock is a few seconds behind. */
export const RATE_COUNTER_LIFETIME_MS = 2 * RATE_WINDOW_MS;

/**
 * The minute a request is counted in, by the vault's clock. Fixed windows, named by their start: every replica
 * counts into the same counter, a refused request cannot push the end of its window further, and each replica
 * compares the shared count with its own limit, so none can block a client for the others.
 */
export interface RateWindow {
  index: number;
  endsAt: number;
}

export function rateWindow(now: number): RateWindow {
  const index = Math.floor(now / RATE_WINDOW_MS);
  return { index, endsAt: (index + 1) * RATE_WINDOW_MS };
}

/** Seconds until the window ends, as Retry-After says it. */
export function retryAfterSeconds(window: RateWindow, now: number): number {
  return retryAfterOf(window.endsAt - now);
}
