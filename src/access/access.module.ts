import { DynamicModule, Global, Module } from '@nestjs/common';
import { BrokersSettings } from '../brokers/brokers.config';
import { AccessSettings } from './access.config';
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
 * vault runs: re-read every second and on SIGHUP (ClientsFileWatcher, started on init, stopped on destroy); `extra`
 * adds clients made in code (the demo's one-off key), kept across re-reads.
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
          inject: [AccessSettings, { token: BrokersSettings, optional: true }],
          useFactory: (settings: AccessSettings, brokers: BrokersSettings | undefined) =>
            new ClientsFileWatcher(settings.clientsFile, extra, { accounts: brokers?.accounts }),
        },
        {
          provide: ServiceClientRegistry,
          inject: [ClientsFileWatcher],
          useFactory: (watcher: ClientsFileWatcher) => watcher.registry,
        },
        ServiceKeyGuard,
        AuthFailureLimiter,
        OperatorGuard,
        VerifiedOperators,
        OperatorPasswordChecks,
        OpenAccessWarnings,
      ],
      exports: [ServiceClientRegistry, ServiceKeyGuard, AuthFailureLimiter, OperatorGuard, VerifiedOperators, OperatorPasswordChecks],
    };
  }
}
