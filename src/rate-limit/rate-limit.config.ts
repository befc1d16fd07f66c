import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

class RateLimitVariables {
  @OptionalWholeNumber(1, 100_000)
  RATE_LIMIT_PER_MINUTE?: number;
}

export class RateLimitSettings {
  /** Requests per minute for each service client (or, before authentication, each address). */
  constructor(readonly perMinute: number) {}
}

export const rateLimitConfig = configSlice({
  settings: RateLimitSettings,
  variables: RateLimitVariables,
  build: (env) => new RateLimitSettings(env.RATE_LIMIT_PER_MINUTE ?? 600),
});
