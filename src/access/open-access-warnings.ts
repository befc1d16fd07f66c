import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { AccessSettings } from './access.config';

/**
 * Says at start, once, where the operator chose less than the safe setting: the sandbox is for trying the vault, so
 * there it stays quiet.
 */
@Injectable()
export class OpenAccessWarnings implements OnApplicationBootstrap {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly access: AccessSettings,
    private readonly broker: BrokerSettings,
  ) {}

  onApplicationBootstrap(): void {
    const auth = this.access.operatorAuth;
    if (auth.kind === 'none' && !this.broker.sandbox) {
      this.logger.warn(
        'ADMIN_AUTH=none: anyone who reaches the vault can open its pages and run a login for any account; ' +
          'set basic:USER:PASSWORD_HASH (npm run operator-password) or header:… behind a sign-on proxy',
      );
    }
    if (auth.kind === 'basic' && auth.password.kind === 'sha256') {
      this.logger.warn(
        'ADMIN_AUTH holds an unsalted SHA-256 of the operator password, which is quick to guess from a leaked .env; ' +
          'it still works, but make a salted hash with npm run operator-password and replace it',
      );
    }
  }
}
