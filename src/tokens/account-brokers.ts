import { HttpService } from '@nestjs/axios';
import { Injectable, Optional, Provider } from '@nestjs/common';
import { Accounts, BROKER_IDS, isBrokerId } from '../brokers/accounts';
import { BrokerAdapter, BrokerId } from '../brokers/broker-adapter';
import { BrokerMetrics } from '../brokers/broker-metrics';
import { BrokersSettings } from '../brokers/brokers.config';
import { DhanAdapter } from '../brokers/dhan/dhan.adapter';
import { FyersAdapter } from '../brokers/fyers/fyers.adapter';
import { PocketfulAdapter } from '../brokers/pocketful/pocketful.adapter';
import { PocketfulClient } from '../brokers/pocketful/pocketful.client';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { UpstoxAdapter } from '../brokers/upstox/upstox.adapter';
import { ZerodhaAdapter } from '../brokers/zerodha/zerodha.adapter';
import { Clock } from '../clock/clock';
import { vaultError } from '../errors/vault-error';
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

/** The adapters of the brokers besides Pocketful that are on (their key is set), by broker. */
export class OtherBrokerAdapters {
  constructor(readonly byBroker: ReadonlyMap<BrokerId, BrokerAdapter>) {}
}

export const otherBrokerAdapters: Provider = {
  provide: OtherBrokerAdapters,
  useFactory: (http: HttpService, brokers: BrokersSettings, metrics: BrokerMetrics) => {
    const adapters = new Map<BrokerId, BrokerAdapter>();
    if (brokers.zerodha) adapters.set('zerodha', new ZerodhaAdapter(http, brokers.zerodha, metrics));
    if (brokers.upstox) adapters.set('upstox', new UpstoxAdapter(http, brokers.upstox, metrics));
    if (brokers.fyers) adapters.set('fyers', new FyersAdapter(http, brokers.fyers, metrics));
    if (brokers.dhan) adapters.set('dhan', new DhanAdapter(http, brokers.dhan, metrics));
    return new OtherBrokerAdapters(adapters);
  },
  inject: [HttpService, BrokersSettings, BrokerMetrics],
};

const POCKETFUL_ONLY = new Accounts('pocketful');

/**
 * Which broker an account's token comes from: the one place that decides, from the account's canonical name
 * (brokers/accounts.ts: bare is the default broker's, `zerodha:AB1234` Zerodha's).
 */
@Injectable()
export class AccountBrokers {
  private readonly accounts: Accounts;

  constructor(
    private readonly pocketful: BrokerAdapter,
    private readonly pocketfulSettings: BrokerSettings,
    @Optional() private readonly others?: OtherBrokerAdapters,
    @Optional() private readonly brokers?: BrokersSettings,
  ) {
    this.accounts = brokers?.accounts ?? POCKETFUL_ONLY;
  }

  /** The adapter of a broker, or null when that broker is off. */
  adapter(broker: BrokerId): BrokerAdapter | null {
    if (broker === 'pocketful') return this.pocketfulSettings.enabled === false ? null : this.pocketful;
    return this.others?.byBroker.get(broker) ?? null;
  }

  /** The brokers that are on, in BROKER_IDS' order: those a person can log in with here. */
  brokersOn(): BrokerId[] {
    return BROKER_IDS.filter((broker) => this.adapter(broker) !== null);
  }

  /**
   * The adapter of the broker a request names (POST /v1/tokens' `broker`), or 400 broker_not_enabled when the vault
   * knows no such broker or it is off. What the request wrote is never quoted back: only the vault's own names are.
   */
  named(name: string): BrokerAdapter {
    const adapter = isBrokerId(name) ? this.adapter(name) : null;
    if (adapter !== null) return adapter;
    const on = this.brokersOn().join(', ');
    const why = isBrokerId(name)
      ? `${name} is not on in this vault (its API key is not set)`
      : `the vault knows no broker of that name (${BROKER_IDS.join(', ')})`;
    throw vaultError('broker_not_enabled', `${why}; the brokers on: ${on || 'none'}`);
  }

  /** The account's broker's adapter; an account of a broker that is off (its key since unset) has none. */
  of(clientId: string): BrokerAdapter {
    const broker = this.accounts.brokerOf(clientId);
    const adapter = this.adapter(broker);
    // A stored account whose broker's key was since unset: nobody can be asked about its token.
    if (adapter === null) throw vaultError('broker_unavailable', `${broker} is not configured on this vault (its API key is not set)`);
    return adapter;
  }

  /** The canonical account a broker's whoami names, or null when the id is not one the vault can use. */
  accountOf(broker: BrokerId, id: string): string | null {
    return this.accounts.of(broker, id);
  }

  /** Where the account is logged in: its broker's login page on the vault. */
  loginPathOf(clientId: string): string {
    return this.accounts.loginPathOf(clientId);
  }

  /** How long a call to the account's broker may take before it is given up. */
  timeoutMsOf(clientId: string): number {
    const broker = this.accounts.brokerOf(clientId);
    if (broker === 'pocketful') return this.pocketfulSettings.timeoutMs;
    return this.brokers?.[broker]?.timeoutMs ?? this.pocketfulSettings.timeoutMs;
  }
}
