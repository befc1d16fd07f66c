import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { KeyringSettings } from '../crypto/keyring.config';
import { TokenCipher } from '../crypto/token-cipher';
import { StorageKind } from '../redis/storage.config';
import { MemoryTokenStore } from './memory-token.store';
import { RedisTokenStore } from './redis-token.store';
import { TokenStore } from './token.store';

/** Binds the TokenStore port: encrypted in Redis, or in memory. Also what `npm run reencrypt` builds on. */
@Global()
@Module({})
export class TokenStoreModule {
  static forRoot(kind: StorageKind): DynamicModule {
    const providers: Provider[] =
      kind === 'redis'
        ? [
            { provide: TokenCipher, inject: [KeyringSettings], useFactory: (keyring: KeyringSettings) => new TokenCipher([...keyring.keys]) },
            { provide: TokenStore, useClass: RedisTokenStore },
          ]
        : [{ provide: TokenStore, useClass: MemoryTokenStore }];
    return { module: TokenStoreModule, providers, exports: kind === 'redis' ? [TokenStore, TokenCipher] : [TokenStore] };
  }
}
