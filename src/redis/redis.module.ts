import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { RedisConnection } from './redis-connection';
import { RedisKeys } from './redis-keys';
import { RedisMetrics } from './redis-metrics';
import { StorageKind, StorageSettings } from './storage.config';

/** The key names, always; the one connection and its metrics, when the storage is Redis. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(kind: StorageKind): DynamicModule {
    const keys: Provider = { provide: RedisKeys, inject: [StorageSettings], useFactory: (settings: StorageSettings) => new RedisKeys(settings.keyPrefix) };
    const providers = kind === 'redis' ? [keys, RedisConnection] : [keys];
    return { module: RedisModule, providers: kind === 'redis' ? [...providers, RedisMetrics] : providers, exports: providers };
  }
}
