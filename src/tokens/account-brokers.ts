import { Injectable, Provider } from '@nestjs/common';
import { BrokerAdapter } from '../brokers/broker-adapter';
import { PocketfulAdapter } from '../brokers/pocketful/pocketful.adapter';
import { PocketfulClient } from '../brokers/pocketful/pocketful.client';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { Clock } from '../clock/clock';
import { TokenSettings } from './tokens.config';

/**
 * The broker port bound to Pocketful, the one wired broker. Bound here rather than in brokers/, which sits below the
 * features: the adapter's cut-off is TOKEN_EXPIRY_TIME, a setting of the tokens (TokenSettings).
 */
export const pocketfulBrokerAdapter: Provider = {
  provide: BrokerAdapter,
  useFactory: (client: PocketfulClient, tokens: TokenSettings, clock: Clock) => new PocketfulAdapter(client, tokens.cutoff, clock),
  inject: [PocketfulClient, TokenSettings, Clock],
};

/**
 * Which broker an account's token comes from: the one place that decides, so that accounts naming their broker
 * change only this. Today every account is Pocketful's.
 */
@Injectable()
export class AccountBrokers {
  constructor(
    private readonly pocketful: BrokerAdapter,
    private readonly pocketfulSettings: BrokerSettings,
  ) {}

  of(clientId: string): BrokerAdapter {
    return this.pocketful;
  }

  /** How long a call to the account's broker may take before it is given up (POCKETFUL_TIMEOUT_MS). */
  timeoutMsOf(clientId: string): number {
    return this.pocketfulSettings.timeoutMs;
  }
}
