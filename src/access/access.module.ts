import { DynamicModule, Global, Module } from '@nestjs/common';
import { BrokersSettings } from '../brokers/brokers.config';
import { Clock } from '../clock/clock';
import { AccessSettings } from './access.config';
import { ClientsFileMetrics } from './clients-file.metrics';
import { ClientsFileWatcher } from './clients-file.watcher';
import { ServiceClient } from './service-client';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { OpenAccessWarnings } from './open-access-warnings';
import { OperatorPasswordChecks } from './operator-password-checks';
import { OperatorGuard } from './operator.guard';
import { ServiceClientRegistry } from './service-client.registry';
import { ServiceKeyGuard } from './service-key.guard';
import { VerifiedOperators } from './verified-operators';

/**
 * Service clients come from VAULT_CLIENTS_FILE, read at start-up (a bad file stops it) and kept current while the
 * vault runs: re-read every second and on SIGHUP (ClientsFileWatcher, started on init, stopped on destroy; a file it
 * cannot use is logged at every check, and its keys refused past CLIENTS_FILE_GRACE_SECONDS); `extra` adds clients
 * made in code (the demo's one-off key), kept across re-reads. The watcher is exported for what reports its health.
 */
@Global()
@Module({})
export class AccessModule {
  static forRoot(extra: ServiceClient[] = []): DynamicModule {
    return {
      module: AccessModule,
      providers: [
        {
          provide: ClientsFileWatcher,
          inject: [AccessSettings, Clock, { token: BrokersSettings, optional: true }],
          useFactory: (settings: AccessSettings, clock: Clock, brokers: BrokersSettings | undefined) =>
            new ClientsFileWatcher(settings.clientsFile, extra, { accounts: brokers?.accounts, clock, graceMs: settings.clientsFileGraceMs }),
        },
        {
          provide: ServiceClientRegistry,
          inject: [ClientsFileWatcher],
          useFactory: (watcher: ClientsFileWatcher) => watcher.registry,
        },
        ClientsFileMetrics,
        ServiceKeyGuard,
        AuthFailureLimiter,
        OperatorGuard,
        VerifiedOperators,
        OperatorPasswordChecks,
        OpenAccessWarnings,
      ],
      exports: [ClientsFileWatcher, ServiceClientRegistry, ServiceKeyGuard, AuthFailureLimiter, OperatorGuard, VerifiedOperators, OperatorPasswordChecks],
    };
  }
}
