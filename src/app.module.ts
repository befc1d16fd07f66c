import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { ScheduleModule } from '@nestjs/schedule';
import { AccessModule } from './access/access.module';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { ServiceClient } from './access/service-client';
import { Clock, SystemClock } from './clock/clock';
import { ClockModule } from './clock/clock.module';
import { VaultConfigModule } from './config/config.module';
import { VaultConfig } from './config/vault-config';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { LoginModule } from './login/login.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { MetricsModule } from './metrics/metrics.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { StoreModule } from './store/store.module';
import { TokensModule } from './tokens/tokens.module';

export interface VaultAppOptions {
  config: VaultConfig;
  clock?: Clock;
  /** Where log lines go (default: stdout). */
  logStream?: DestinationStream;
  /** Service clients made in code, beside those of VAULT_CLIENTS_FILE. */
  extraClients?: ServiceClient[];
}

@Module({})
export class AppModule {
  static forRoot(options: VaultAppOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        VaultConfigModule.forRoot(config),
        ClockModule.forRoot(options.clock ?? new SystemClock()),
        LoggingModule.forRoot(config, options.logStream),
        StoreModule.forRoot(config.store.kind),
        AccessModule.forRoot(options.extraClients),
        AuditModule,
        RateLimitModule,
        TokensModule,
        LoginModule,
        HealthModule,
        MetricsModule,
        ScheduleModule.forRoot(),
        AlertsModule,
        ...(config.broker.sandbox ? [SandboxModule] : []),
      ],
    };
  }
}
