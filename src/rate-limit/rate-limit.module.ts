import { DynamicModule, Global, Module } from '@nestjs/common';
import { StorageKind } from '../redis/storage.config';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Budgets per service client, shared by the replicas through Redis (in memory with the memory store). */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RateLimiter, useClass: kind === 'redis' ? RedisRateLimiter : MemoryRateLimiter }, RateLimitGuard],
      exports: [RateLimiter, RateLimitGuard],
    };
  }
}
