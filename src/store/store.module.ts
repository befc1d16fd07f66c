import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { VaultConfig } from '../config/vault-config';
import { AuditLog } from '../audit/audit-log';
import { MemoryAuditLog } from '../audit/memory-audit.log';
import { RedisAuditLog } from '../audit/redis-audit.log';
import { CoordinationStore } from '../coordination/coordination.store';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { RedisCoordinationStore } from '../coordination/redis-coordination.store';
import { TokenCipher } from '../crypto/token-cipher';
import { LoginStateStore } from '../login/login-state.store';
import { MemoryLoginStateStore } from '../login/memory-login-state.store';
import { RedisLoginStateStore } from '../login/redis-login-state.store';
import { RedisConnection } from '../redis/redis-connection';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { memoryRateLimitStorage, RATE_LIMIT_STORAGE, redisRateLimitStorage } from './rate-limit-storage';
import { RedisTokenStore } from '../tokens/redis-token.store';
import { TokenStore } from '../tokens/token.store';

function redisProviders(): Provider[] {
  return [
    RedisConnection,
    {
      provide: TokenCipher,
      inject: [VaultConfig],
      useFactory: (config: VaultConfig) => {
        return new TokenCipher(config.store.encryptionKeys);
      },
    },
    { provide: TokenStore, useClass: RedisTokenStore },
    { provide: LoginStateStore, useClass: RedisLoginStateStore },
    { provide: CoordinationStore, useClass: RedisCoordinationStore },
    { provide: AuditLog, useClass: RedisAuditLog },
    redisRateLimitStorage,
  ];
}

function memoryProviders(): Provider[] {
  return [
    { provide: TokenStore, useClass: MemoryTokenStore },
    { provide: LoginStateStore, useClass: MemoryLoginStateStore },
    { provide: CoordinationStore, useClass: MemoryCoordinationStore },
    { provide: AuditLog, useClass: MemoryAuditLog },
    memoryRateLimitStorage,
  ];
}

/** Binds the storage ports to Redis or to memory, as TOKEN_STORE says. */
@Global()
@Module({})
export class StoreModule {
  static forRoot(kind: 'redis' | 'memory'): DynamicModule {
    return {
      module: StoreModule,
      providers: kind === 'redis' ? redisProviders() : memoryProviders(),
      exports: [TokenStore, LoginStateStore, CoordinationStore, AuditLog, RATE_LIMIT_STORAGE],
    };
  }
}
