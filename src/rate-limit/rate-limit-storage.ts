import { Provider } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { RedisConnection } from '../redis/redis-connection';
import { StorageKind } from '../redis/storage.config';

/** The injection token for the rate limiter's counters: Redis, shared by the replicas, or memory. */
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

export function rateLimitStorage(kind: StorageKind): Provider {
  if (kind === 'memory') return { provide: RATE_LIMIT_STORAGE, useClass: ThrottlerStorageService };
  return {
    provide: RATE_LIMIT_STORAGE,
    inject: [RedisConnection],
    // The vault's own connection: no second connection to manage, and no offline queue to hang a request on.
    useFactory: (connection: RedisConnection) => new ThrottlerStorageRedisService(connection.client),
  };
}
