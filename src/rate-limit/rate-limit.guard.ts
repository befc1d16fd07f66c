import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ServiceClient } from '../access/service-client';
import { Caller, VaultRequest } from '../access/vault-request';
import { Clock } from '../clock/clock';
import { VaultError } from '../errors/vault-error';
import { RateLimitSettings } from './rate-limit.config';
import { overLimit, overLimitWarning, RateLimiter } from './rate-limiter';

/** A store that does not answer is said once a minute, not once a request. */
const WARN_EVERY_MS = 60_000;

/** A client's tracker, made once: the read path looks it up in maps, and a string made anew is hashed anew. */
const clientTrackers = new WeakMap<ServiceClient, string>();

/** Who a request is counted against: its service client, or else its address. */
export function rateTracker(caller: Caller | undefined, address: string): string {
  if (caller?.kind !== 'service') return `address:${address}`;
  let tracker = clientTrackers.get(caller.client);
  if (tracker === undefined) clientTrackers.set(caller.client, (tracker = `client:${caller.client.name}`));
  return tracker;
}

/**
 * The per-minute budget, after the access guard so that a request is counted against its client. A store that does
 * not answer lets the request through: it will meet the same store and get its own 503, and rate limiting must not
 * be what takes reads down.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private lastWarning = -Infinity;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: RateLimitSettings,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.settings.enabled) return true;
    const request = context.switchToHttp().getRequest<VaultRequest>();
    const tracker = rateTracker(request.caller, request.ip);
    let decision;
    try {
      decision = await this.limiter.consume(tracker, this.settings.perMinute);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      this.warnNowAndThen(error.code);
      return true;
    }
    if (!decision.allowed) {
      if (decision.firstRefusal) this.logger.warn(overLimitWarning(tracker, this.settings.perMinute));
      throw overLimit(decision.retryAfterSeconds, this.settings.perMinute);
    }
    return true;
  }

  private warnNowAndThen(code: string): void {
    const now = this.clock.now().getTime();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(`rate limits are not checked while the store does not answer (${code})`);
  }
}
