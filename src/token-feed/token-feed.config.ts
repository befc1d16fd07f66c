import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';
import { FEED_MAX_LENGTH } from './event-feed';

class TokenFeedVariables {
  @OptionalWholeNumber(1, 100_000)
  HELD_REQUESTS_PER_CLIENT?: number;

  @OptionalWholeNumber(1, 300)
  EVENTS_HEARTBEAT_SECONDS?: number;

  @OptionalWholeNumber(1, FEED_MAX_LENGTH)
  EVENTS_REPLAY_MAX?: number;
}

export class TokenFeedSettings {
  /**
   * Reads waiting for a token (`?wait=N`) and event streams one service client may hold open on one replica,
   * together: each holds a connection, and a client in a loop must not hold them all.
   */
  readonly heldPerClient!: number;
  /** A comment line sent on every idle event stream this often, so that proxies do not close it as dead. */
  readonly heartbeatMs!: number;
  /**
   * The most entries of the feed, of every account, that one stream resumed with Last-Event-ID reads back: what a
   * resume may cost whoever asks. A stream further behind is told to reset.
   */
  readonly replayMost!: number;

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
      replayMost: env.EVENTS_REPLAY_MAX ?? 1_000,
    }),
});
