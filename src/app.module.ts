import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AccessModule } from './access/access.module';
import { ServiceClient } from './access/service-client';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { Clock, SystemClock } from './clock/clock';
import { ClockModule } from './clock/clock.module';
import { ConfigurationModule } from './config/config.module';
import { CoordinationModule } from './coordination/coordination.module';
import { CryptoModule } from './crypto/crypto.module';
import { HealthModule } from './health/health.module';
import { HttpEdgeModule } from './http/http-edge.module';
import { LoginModule } from './login/login.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { ScrapeModule } from './scrape/scrape.module';
import { StatusModule } from './status/status.module';
import { TokenFeedModule } from './token-feed/token-feed.module';
import { TokensModule } from './tokens/tokens.module';
import { VaultConfig } from './vault-config';

export interface VaultAppOptions {
  config: VaultConfig;
  clock?: Clock;
  /** Service clients made in code, beside those of VAULT_CLIENTS_FILE. */
  extraClients?: ServiceClient[];
}

/**
 * The vault, assembled: every feature's module, each binding its own ports to Redis or to memory as the one storage
 * setting (TOKEN_STORE) says.
 */
@Module({})
export class AppModule {
  static forRoot(options: VaultAppOptions): DynamicModule {
    const { config } = options;
    const storage = config.storage.kind;
    return {
      module: AppModule,
      imports: [
        ConfigurationModule.forRoot(config.configuration),
        ClockModule.forRoot(options.clock ?? new SystemClock()),
        RedisModule.forRoot(storage),
        CryptoModule,
        CoordinationModule.forRoot(storage),
        HttpEdgeModule,
        AccessModule.forRoot(options.extraClients),
        AuditModule.forRoot(storage),
        RateLimitModule.forRoot(storage),
        TokensModule.forRoot(storage),
        TokenFeedModule.forRoot(storage),
        LoginModule.forRoot(storage),
        HealthModule,
        MetricsModule,
        ScrapeModule,
        ScheduleModule.forRoot(),
        AlertsModule.forRoot(storage),
        StatusModule.forRoot(storage),
        OpenApiModule,
        ...(config.broker.sandbox ? [SandboxModule.forRoot(config.brokers)] : []),
      ],
    };
  }
}
