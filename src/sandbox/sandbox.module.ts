import { Module } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { VaultConfig } from '../config/vault-config';
import { SandboxBroker } from './sandbox-broker';
import { SandboxController } from './sandbox.controller';

export const SANDBOX_ACCOUNTS = ['YA0002', 'YA0003'];

@Module({
  controllers: [SandboxController],
  providers: [
    {
      provide: SandboxBroker,
      inject: [VaultConfig, Clock],
      useFactory: (config: VaultConfig, clock: Clock) =>
        new SandboxBroker({
          appId: config.broker.appId,
          appSecret: config.broker.appSecret,
          redirectUrl: config.broker.redirectUrl,
          accounts: config.tokens.allowedClientIds ?? SANDBOX_ACCOUNTS,
          now: () => clock.now().getTime(),
        }),
    },
  ],
})
export class SandboxModule {}
