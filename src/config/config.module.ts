import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { Configuration } from './load-configuration';

/**
 * Makes each slice's settings injectable by its class. The configuration is validated before Nest builds anything
 * (see main.ts), so that a bad variable stops the process with one message. @nestjs/config's `validate` would write
 * the values back into process.env, which tests running several vaults in one process cannot share.
 */
@Global()
@Module({})
export class ConfigurationModule {
  static forRoot(configuration: Configuration): DynamicModule {
    const providers: Provider[] = configuration.entries().map(([settings, value]) => ({ provide: settings, useValue: value }));
    return { module: ConfigurationModule, providers, exports: providers };
  }
}
