import { DynamicModule, Global, Module } from '@nestjs/common';
import { PocketfulModule } from '../pocketful/pocketful.module';
import { StorageKind } from '../redis/storage.config';
import { AccountsController } from './accounts.controller';
import { OpenAccountsWarning } from './open-accounts-warning';
import { RedisTokenReader } from './redis-token-reader';
import { SteppedTokenReader } from './stepped-token-reader';
import { TokenEvents } from './token-events';
import { TokenMetrics } from './token-metrics';
import { TokenReader } from './token-reader';
import { TokenReadLane } from './token-read-lane';
import { TokenReportService } from './token-report.service';
import { TokenServing } from './token-serving';
import { TokenStoreModule } from './token-store.module';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** The token API and the rules around the store; global, so that logins and alerts reach the tokens too. */
@Global()
@Module({})
export class TokensModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: TokensModule,
      imports: [PocketfulModule, TokenStoreModule.forRoot(kind)],
      controllers: [TokensController, AccountsController],
      providers: [
        TokensService,
        TokenReportService,
        TokenEvents,
        TokenServing,
        TokenReadLane,
        OpenAccountsWarning,
        TokenMetrics,
        { provide: TokenReader, useClass: kind === 'redis' ? RedisTokenReader : SteppedTokenReader },
      ],
      exports: [TokensService, TokenEvents, TokenServing, TokenReadLane, TokenStoreModule],
    };
  }
}
