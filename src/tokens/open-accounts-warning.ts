import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { TokenSettings } from './tokens.config';

/** Without ALLOWED_CLIENT_IDS any Pocketful account that logs in is stored and alerted about: said once, at start. */
@Injectable()
export class OpenAccountsWarning implements OnApplicationBootstrap {
  private readonly logger = new Logger('Tokens');

  constructor(
    private readonly tokens: TokenSettings,
    private readonly broker: BrokerSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.tokens.allowedClientIds === null && !this.broker.sandbox) {
      this.logger.warn(
        'ALLOWED_CLIENT_IDS is not set: a login or import for any Pocketful account is stored and watched; ' +
          'list the accounts this vault keeps tokens for',
      );
    }
  }
}
