import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { rateLimited, retryAfterOf } from '../errors/rate-limited';
import { RedisKeys } from '../redis/redis-keys';
import { AccessSettings } from './access.config';
import { AddressCounters, Counted } from './address-counters';

const WINDOW_MS = 60_000;

const tooManyFailures = (resetInMs: number) =>
  rateLimited(retryAfterOf(resetInMs), 'too many failed authentications from this address');

/** An attempt counted before its credentials are checked: given back if they are right. */
export interface AuthAttempt {
  /** The credentials were right (or were not checked after all): the attempt no longer counts. */
  giveBack(): Promise<void>;
  /** They were wrong: it stays counted; throws 429 when the address is past its budget, else the caller answers 401. */
  failed(): Promise<void>;
}

/**
 * Slows down key and password guessing without ever standing in the way of a valid key: once an address has failed
 * AUTH_FAILURES_PER_MINUTE times in its minute, its further failures are answered 429 instead of 401. A stale key on
 * a shared host cannot lock out the strategies beside it, and a request with a valid key costs nothing here.
 *
 * Counted in the shared store, so every replica agrees, and in this process too, so that the limit still holds
 * (per replica) while Redis does not answer: the larger count decides. The address is the request's, which is the
 * client's only behind a proxy that TRUST_PROXY names, so a guesser cannot pick a new one per request.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger(AuthFailureLimiter.name);
  private readonly local: AddressCounters;

  constructor(
    private readonly counters: CoordinationStore,
    private readonly settings: AccessSettings,
    private readonly keys: RedisKeys,
    clock: Clock,
  ) {
    this.local = new AddressCounters(clock, WINDOW_MS);
  }

  /**
   * For credentials that are dear to check (an operator password's slow hash): counts the attempt first, as if it
   * failed, so that a burst of guesses sent at once is counted before any is checked, and refuses with 429, without
   * a check, an address already past its budget. The one attempt just past it is still checked: the operator who
   * used the last try on a typo gets in, a guesser's answer is 429.
   */
  async reserve(address: string): Promise<AuthAttempt> {
    const counted = await this.count(address);
    if (counted.count > this.settings.authFailuresPerMinute + 1) throw tooManyFailures(counted.resetInMs);
    return {
      giveBack: () => this.uncount(address),
      failed: async () => this.judge(address, counted),
    };
  }

  /** For credentials checked cheaply, and only counted once they failed. Throws 429 when the address is past its budget. */
  async failed(address: string): Promise<void> {
    this.judge(address, await this.count(address));
  }

  private judge(address: string, counted: Counted): void {
    const budget = this.settings.authFailuresPerMinute;
    if (counted.count <= budget) return;
    if (counted.count === budget + 1) {
      this.logger.warn(`address ${address} failed authentication ${budget} times in a minute; its further failures get 429 for the rest of it`);
    }
    throw tooManyFailures(counted.resetInMs);
  }

  private async count(address: string): Promise<Counted> {
    const local = this.local.count(address);
    // A store that does not answer must not turn a 401 into a 500, nor lift the limit: this process's count stands.
    const shared = await this.counters.count(this.keys.authFailures(address), WINDOW_MS).catch(() => null);
    return shared !== null && shared.count >= local.count ? shared : local;
  }

  private async uncount(address: string): Promise<void> {
    this.local.uncount(address);
    await this.counters.uncount(this.keys.authFailures(address)).catch(() => undefined);
  }
}
