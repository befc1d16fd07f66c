import { DynamicModule, Global, Module } from '@nestjs/common';
import { VaultConfig } from './vault-config';

/**
 * The configuration is validated before Nest builds anything (see main.ts), so that a bad variable stops the
 * process with one message; this module only makes the result injectable. @nestjs/config's `validate` would
 * write the values back into process.env, which tests running several vaults in one process cannot share.
 */
@Global()
@Module({})
export class VaultConfigModule {
  static forRoot(config: VaultConfig): DynamicModule {
    return { module: VaultConfigModule, providers: [{ provide: VaultConfig, useValue: config }], exports: [VaultConfig] };
  }
}
