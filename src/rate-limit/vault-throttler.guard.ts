import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { ServiceClient } from '../access/service-client';
import { VaultConfig } from '../config/vault-config';
import { rateLimited } from '../errors/rate-limited';

/**
 * @nestjs/throttler, counted per service client across every route (the library counts per route by default),
 * in Redis so that replicas share one budget. Runs after the key check, so an authenticated request is counted
 * against its client and any other against its address. A store that does not answer lets the request through:
 * the request will meet the same store and get its own 503, and rate limiting must not be what takes reads down.
 */
@Injectable()
export class VaultThrottlerGuard extends ThrottlerGuard {
  @Inject(VaultConfig) private readonly config: VaultConfig;
  private readonly warnings = new Logger(VaultThrottlerGuard.name);

  protected override async getTracker(request: FastifyRequest & { serviceClient?: ServiceClient }): Promise<string> {
    return request.serviceClient ? `client:${request.serviceClient.name}` : `address:${request.ip}`;
  }

  /** One budget per tracker across all routes, under the vault's key prefix. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${this.keyPrefix}rate:${name}:${tracker}`;
  }

  private get keyPrefix(): string {
    return this.config.store.keyPrefix;
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
