import { Module } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { TokenSettings } from '../tokens/tokens.config';
import { SandboxBroker } from './sandbox-broker';
import { SandboxController } from './sandbox.controller';

export const SANDBOX_ACCOUNTS = ['YA0002', 'YA0003'];

@Module({
  controllers: [SandboxController],
  providers: [
    {
      provide: SandboxBroker,
      inject: [BrokerSettings, TokenSettings, Clock],
      useFactory: (broker: BrokerSettings, tokens: TokenSettings, clock: Clock) =>
        new SandboxBroker({
          appId: broker.appId,
          appSecret: broker.appSecret,
          redirectUrl: broker.redirectUrl,
          accounts: tokens.allowedClientIds ?? SANDBOX_ACCOUNTS,
          now: () => clock.now().getTime(),
        }),
    },
  ],
})
export class SandboxModule {}
