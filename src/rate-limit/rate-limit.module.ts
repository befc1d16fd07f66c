import { DynamicModule, Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { StorageKind } from '../redis/storage.config';
import { RateLimitSettings } from './rate-limit.config';
import { RATE_LIMIT_STORAGE, rateLimitStorage } from './rate-limit-storage';
import { VaultThrottlerGuard } from './vault-throttler.guard';

const MINUTE_MS = 60_000;

/** The counters, in a module of their own so that the throttler's options factory can import them. */
@Module({})
class RateLimitStorageModule {
  static forRoot(kind: StorageKind): DynamicModule {
    const storage = rateLimitStorage(kind);
    return { module: RateLimitStorageModule, providers: [storage], exports: [storage] };
  }
}

/** Budgets per service client, shared by the replicas through Redis (in memory with the memory store). */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          imports: [RateLimitStorageModule.forRoot(kind)],
          inject: [RateLimitSettings, RATE_LIMIT_STORAGE],
          useFactory: (settings: RateLimitSettings, counters: ThrottlerStorage) => ({
            throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: settings.perMinute, blockDuration: MINUTE_MS }],
            storage: counters,
          }),
        }),
      ],
      providers: [VaultThrottlerGuard],
      exports: [VaultThrottlerGuard, ThrottlerModule],
    };
  }
}
