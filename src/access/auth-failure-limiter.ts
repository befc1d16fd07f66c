import { Injectable, Logger } from '@nestjs/common';
import { CoordinationStore } from '../coordination/coordination.store';
import { rateLimited, retryAfterOf } from '../errors/rate-limited';
import { RedisKeys } from '../redis/redis-keys';
import { AccessSettings } from './access.config';

const WINDOW_MS = 60_000;

const tooManyFailures = (resetInMs: number) =>
  rateLimited(retryAfterOf(resetInMs), 'too many failed authentications from this address');

/**
 * Slows down key guessing without ever standing in the way of a valid key: only failed attempts are counted, and
 * once an address has failed AUTH_FAILURES_PER_MINUTE times in its minute, its further failures are answered 429
 * instead of 401. A stale key on a shared host cannot lock out the strategies beside it, and a request with a valid
 * key costs nothing here. Counted in the shared store, so every replica agrees.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger(AuthFailureLimiter.name);

  constructor(
    private readonly counters: CoordinationStore,
    private readonly settings: AccessSettings,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Refuses an address already past its budget, before an attempt that is dear to check (an operator password's slow
   * hash) is checked at all. Costs a read of the counter; a store that does not answer lets the attempt through.
   */
  async refuseIfBlocked(address: string): Promise<void> {
    const counted = await this.counters.peek(this.keys.authFailures(address)).catch(() => null);
    if (counted !== null && counted.count > this.settings.authFailuresPerMinute) {
      throw tooManyFailures(counted.resetInMs);
    }
  }

  /** Counts a failed attempt; throws 429 (with the seconds to wait) when the address is past its budget. */
  async failed(address: string): Promise<void> {
    let counted: { count: number; resetInMs: number };
    try {
      counted = await this.counters.count(this.keys.authFailures(address), WINDOW_MS);
    } catch {
      // A store that does not answer must not turn a 401 into a 500: the failure goes uncounted.
      return;
    }
    const budget = this.settings.authFailuresPerMinute;
    if (counted.count <= budget) return;
    if (counted.count === budget + 1) {
      this.logger.warn(`address ${address} failed authentication ${budget} times in a minute; its further failures get 429 for the rest of it`);
    }
    throw tooManyFailures(counted.resetInMs);
  }
}
