import { Accounts, brokerLoginPath } from '../brokers/accounts';
import { BROKER_NAMES } from '../brokers/broker-names';
import { IstTimeOfDay } from '../clock/ist-time';

export interface WebhookSettings {
  url: string;
  /** ALERT_WEBHOOK_SECRET: without it deliveries go unsigned. */
  secret: string | null;
}

export interface TelegramSettings {
  apiUrl: string;
  botToken: string;
  chatId: string;
}

/** Everything the alerts read from the configuration; injected by its class. */
export class AlertSettings {
  readonly webhook: WebhookSettings | null;
  readonly slackUrl: string | null;
  readonly telegram: TelegramSettings | null;
  /** ALERT_BEFORE_EXPIRY, in ms. */
  readonly leadsMs: readonly number[];
  /** MISSING_TOKEN_CHECK_AT, Monday to Friday in IST. */
  readonly missingCheckTimes: readonly IstTimeOfDay[];
  /** PREOPEN_CHECK_AT, every day in IST; null: off. */
  readonly preopenCheckAt: IstTimeOfDay | null;
  /** EXPECTED_ACCOUNTS; null: ALLOWED_CLIENT_IDS, or else every account that ever stored a token. */
  readonly expectedAccounts: readonly string[] | null;
  readonly onStored: boolean;
  /** Where people reach the vault: login links in alerts are PUBLIC_URL + /{broker}/login. */
  readonly publicUrl: string;
  /** How accounts name their broker, for each account's login link and broker name. */
  readonly accounts: Accounts;
  readonly scanIntervalMs: number;
  readonly delivery: { attempts: number; retryDelayMs: number; timeoutMs: number };

  constructor(settings: Omit<AlertSettings, 'anyChannel' | 'loginUrl' | 'loginUrlOf' | 'brokerNameOf'>) {
    Object.assign(this, settings);
  }

  get anyChannel(): boolean {
    return this.webhook !== null || this.slackUrl !== null || this.telegram !== null;
  }

  /** The default broker's login: where accounts written bare log in. */
  get loginUrl(): string {
    return this.publicUrl + brokerLoginPath(this.accounts.defaultBroker);
  }

  /** Where an account is logged in again: its broker's login page. */
  loginUrlOf(account: string): string {
    return this.publicUrl + this.accounts.loginPathOf(account);
  }

  brokerNameOf(account: string): string {
    return BROKER_NAMES[this.accounts.brokerOf(account)];
  }
}
