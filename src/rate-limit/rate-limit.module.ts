import { Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { VaultConfig } from '../config/vault-config';
import { RATE_LIMIT_STORAGE } from '../store/rate-limit-storage';
import { VaultThrottlerGuard } from './vault-throttler.guard';

const MINUTE_MS = 60_000;

/** Budgets per service client, shared by the replicas through Redis (in memory with the memory store). */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [VaultConfig, RATE_LIMIT_STORAGE],
      useFactory: (config: VaultConfig, storage: ThrottlerStorage) => ({
        throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: config.rateLimits.perMinute, blockDuration: MINUTE_MS }],
        storage,
      }),
    }),
  ],
  providers: [VaultThrottlerGuard],
  exports: [VaultThrottlerGuard, ThrottlerModule],
})
export class RateLimitModule {}
