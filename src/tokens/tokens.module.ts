import { DynamicModule, Global, Module } from '@nestjs/common';
import { BrokerMetricsModule } from '../brokers/broker-metrics.module';
import { PocketfulModule } from '../brokers/pocketful/pocketful.module';
import { StorageKind } from '../redis/storage.config';
import { AccountsController } from './accounts.controller';
import { OpenAccountsWarning } from './open-accounts-warning';
import { MemoryTokenReader } from './read/memory-token-reader';
import { RedisTokenReader } from './read/redis-token-reader';
import { TokenReader } from './read/token-reader';
import { TokenServing } from './read/token-serving';
import { TokenEvents } from './token-events';
import { TokenMetrics } from './token-metrics';
import { TokenReportService } from './token-report.service';
import { TokenVerification } from './token-verification';
import { EveryTokenVerification } from './every-token-verification';
import { AccountBrokers, otherBrokerAdapters, pocketfulBrokerAdapter } from './account-brokers';
import { HttpModule } from '@nestjs/axios';
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
      imports: [PocketfulModule, BrokerMetricsModule, HttpModule, TokenStoreModule.forRoot(kind)],
      controllers: [TokensController, AccountsController],
      providers: [
        TokensService,
        TokenReportService,
        TokenVerification,
        EveryTokenVerification,
        AccountBrokers,
        pocketfulBrokerAdapter,
        otherBrokerAdapters,
        TokenEvents,
        TokenServing,
        OpenAccountsWarning,
        TokenMetrics,
        { provide: TokenReader, useClass: kind === 'redis' ? RedisTokenReader : MemoryTokenReader },
      ],
      exports: [AccountBrokers, TokensService, TokenEvents, TokenServing, TokenVerification, EveryTokenVerification, TokenStoreModule],
    };
  }
}
