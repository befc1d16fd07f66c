import { Injectable, Logger } from '@nestjs/common';
import { CoordinationStore } from '../coordination/coordination.store';
import { rateLimited } from '../errors/rate-limited';
import { RedisKeys } from '../redis/redis-keys';
import { AccessSettings } from './access.config';

const WINDOW_MS = 60_000;

/**
 * Slows down key guessing: an address that fails authentication AUTH_FAILURES_PER_MINUTE times is refused with
 * 429 until its minute is over, whatever key it tries next. Counted in the shared store, so every replica agrees.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger(AuthFailureLimiter.name);

  constructor(
    private readonly counters: CoordinationStore,
    private readonly settings: AccessSettings,
    private readonly keys: RedisKeys,
  ) {}

  /** Throws 429 (with the seconds to wait) when the address is over its budget. */
  async check(address: string, setRetryAfter: (seconds: number) => void): Promise<void> {
    const { count, resetInMs } = await this.safely(() => this.counters.peek(this.keys.authFailures(address)), { count: 0, resetInMs: 0 });
    if (count < this.settings.authFailuresPerMinute) return;
    const seconds = Math.max(1, Math.ceil(resetInMs / 1000));
    setRetryAfter(seconds);
    throw rateLimited(seconds, 'too many failed authentications from this address');
  }

  async failed(address: string): Promise<void> {
    const { count } = await this.safely(() => this.counters.count(this.keys.authFailures(address), WINDOW_MS), { count: 0, resetInMs: 0 });
    if (count === this.settings.authFailuresPerMinute) {
      this.logger.warn(`address ${address} failed authentication ${count} times in a minute; refusing it for the rest of the minute`);
    }
  }

  /** A store that does not answer must not turn every request into a 500; the request meets its own 503 later. */
  private async safely<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch {
      return fallback;
    }
  }
}
