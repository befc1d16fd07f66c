import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { VaultRequest } from '../access/vault-request';
import { rateLimited } from '../errors/rate-limited';
import { RedisKeys } from '../redis/redis-keys';

/**
 * @nestjs/throttler, counted per service client across every route (the library counts per route by default),
 * in Redis so that replicas share one budget. Runs after the key check, so an authenticated request is counted
 * against its client and any other against its address. A store that does not answer lets the request through:
 * the request will meet the same store and get its own 503, and rate limiting must not be what takes reads down.
 */
@Injectable()
export class VaultThrottlerGuard extends ThrottlerGuard {
  @Inject(RedisKeys) private readonly keys: RedisKeys;
  private readonly warnings = new Logger(VaultThrottlerGuard.name);

  protected override async getTracker(request: VaultRequest): Promise<string> {
    const { caller } = request;
    return caller?.kind === 'service' ? `client:${caller.client.name}` : `address:${request.ip}`;
  }

  /** One budget per tracker across all routes, under the vault's key prefix. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return this.keys.rateLimit(name, tracker);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if ((error as { code?: string }).code === 'rate_limited') throw error;
      this.warnings.warn(`rate limit not checked: ${(error as { name?: string }).name ?? 'error'}`);
      return true;
    }
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw rateLimited(Math.max(1, detail.timeToBlockExpire), `more than ${detail.limit} requests a minute`);
  }
}
