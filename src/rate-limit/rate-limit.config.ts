import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

/**
 * 6,000 a minute: a strategy that reads the token before every order, a hundred orders a second at the open, stays
 * under it; a client stuck in a loop does not. A consumer that caches its token until expiry reads a few times a day.
 */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6_000;

class RateLimitVariables {
  @OptionalWholeNumber(0, 1_000_000, '$property must be a whole number from 0 (no limit) to 1000000')
  RATE_LIMIT_PER_MINUTE?: number;
}

export class RateLimitSettings {
  /** Requests per minute for each service client (or, at the pages, each address); 0: no limit. */
  constructor(readonly perMinute: number) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }
}

export const rateLimitConfig = configSlice({
  settings: RateLimitSettings,
  variables: RateLimitVariables,
  build: (env) => new RateLimitSettings(env.RATE_LIMIT_PER_MINUTE ?? DEFAULT_RATE_LIMIT_PER_MINUTE),
});
