import { DynamicModule, Global, Module } from '@nestjs/common';
import { AccessSettings } from './access.config';
import { readClientsFile } from './clients-file';
import { ServiceClient } from './service-client';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { OperatorGuard } from './operator.guard';
import { ServiceClientRegistry } from './service-client.registry';
import { ServiceKeyGuard } from './service-key.guard';

/**
 * Service clients come from VAULT_CLIENTS_FILE, read once at start-up; `extra` adds clients made in code (the
 * demo's one-off key).
 */
@Global()
@Module({})
export class AccessModule {
  static forRoot(extra: ServiceClient[] = []): DynamicModule {
    return {
      module: AccessModule,
      providers: [
        {
          provide: ServiceClientRegistry,
          inject: [AccessSettings],
          useFactory: (settings: AccessSettings) =>
            new ServiceClientRegistry([...(settings.clientsFile ? readClientsFile(settings.clientsFile) : []), ...extra]),
        },
        ServiceKeyGuard,
        AuthFailureLimiter,
        OperatorGuard,
      ],
      exports: [ServiceClientRegistry, ServiceKeyGuard, AuthFailureLimiter, OperatorGuard],
    };
  }
}
