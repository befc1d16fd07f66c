import { Test, TestingModule } from '@nestjs/testing';
import { AccessModule } from '../../src/access/access.module';
import { ServiceClient } from '../../src/access/service-client';
import { ClockModule } from '../../src/clock/clock.module';
import { ConfigurationModule } from '../../src/config/config.module';
import { CoordinationModule } from '../../src/coordination/coordination.module';
import { RedisModule } from '../../src/redis/redis.module';
import { loadVaultConfig } from '../../src/vault-config';

/**
 * AccessModule compiled as the vault builds it, on the memory store, with every configuration slice loaded from
 * `env` (its providers may read any setting) and `extraClients` beside the clients file's. Not yet initialised.
 */
export async function accessModuleFor(env: Record<string, string>, extraClients: ServiceClient[] = []): Promise<TestingModule> {
  const { configuration } = loadVaultConfig({ TOKEN_STORE: 'memory', SANDBOX: 'true', ADMIN_AUTH: 'none', ...env });
  return Test.createTestingModule({
    imports: [
      ConfigurationModule.forRoot(configuration),
      ClockModule.forRoot(),
      RedisModule.forRoot('memory'),
      CoordinationModule.forRoot('memory'),
      AccessModule.forRoot(extraClients),
    ],
  }).compile();
}
