import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

class TokenFeedVariables {
  @OptionalWholeNumber(1, 100_000)
  HELD_REQUESTS_PER_CLIENT?: number;

  @OptionalWholeNumber(1, 300)
  EVENTS_HEARTBEAT_SECONDS?: number;
}

export class TokenFeedSettings {
  /**
   * Reads waiting for a token (`?wait=N`) and event streams one service client may hold open on one replica,
   * together: each holds a connection, and a client in a loop must not hold them all.
   */
  readonly heldPerClient!: number;
  /** A comment line sent on every idle event stream this often, so that proxies do not close it as dead. */
  readonly heartbeatMs!: number;

  constructor(values: TokenFeedSettings) {
    Object.assign(this, values);
  }
}

export const tokenFeedConfig = configSlice({
  settings: TokenFeedSettings,
  variables: TokenFeedVariables,
  build: (env) =>
    new TokenFeedSettings({
      heldPerClient: env.HELD_REQUESTS_PER_CLIENT ?? 100,
      heartbeatMs: (env.EVENTS_HEARTBEAT_SECONDS ?? 15) * 1000,
    }),
});
