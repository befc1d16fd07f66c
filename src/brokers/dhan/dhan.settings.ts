import { DailyCutoff } from '../../clock/daily-cutoff';
import { trimSlash } from '../../config/variables';

/** Where Dhan's consent login and its API are, as DhanHQ's docs and Python SDK (DhanLogin) name them. */
export const DHAN_AUTH_URL = 'https://auth.dhan.co';
export const DHAN_API_URL = 'https://api.dhan.co';

/** Dhan ends every access token 24 hours after its issue (DhanHQ's authentication docs), whatever the hour. */
export const DHAN_TOKEN_LIFETIME_MS = 24 * 60 * 60_000;

export interface DhanSettingsValues {
  apiKey: string;
  apiSecret: string;
  clientId: string;
  redirectUrl: string;
  authUrl?: string;
  apiUrl?: string;
  timeoutMs?: number;
  cutoff?: DailyCutoff | null;
}

/** Who the vault is to Dhan (an API key and secret made at web.dhan.co for one Dhan account) and where Dhan is. */
export class DhanSettings {
  /** The API key, sent as the `app_id` header. */
  readonly apiKey: string;
  /** The API secret, sent as the `app_secret` header. */
  readonly apiSecret: string;
  /**
   * The Dhan client id of the account that logs in: generate-consent takes it (`client_id`), and a key is made by one
   * Dhan user for their own account, so the vault logs in that one account.
   */
  readonly clientId: string;
  /** The redirect URL given when the key was made: Dhan takes none in a request and sends every login back there. */
  readonly redirectUrl: string;
  /** Where the consent calls and the login page are (auth.dhan.co). */
  readonly authUrl: string;
  /** Where the API is (api.dhan.co); the profile call is its /v2/profile. */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  /** None by default: Dhan's tokens die 24 h after issue. A desk that knows of a daily cut-off as well sets it. */
  readonly cutoff: DailyCutoff | null;

  constructor(values: DhanSettingsValues) {
    this.apiKey = values.apiKey;
    this.apiSecret = values.apiSecret;
    this.clientId = values.clientId;
    this.redirectUrl = values.redirectUrl;
    this.authUrl = trimSlash(values.authUrl ?? DHAN_AUTH_URL);
    this.apiUrl = trimSlash(values.apiUrl ?? DHAN_API_URL);
    this.timeoutMs = values.timeoutMs ?? 10_000;
    this.cutoff = values.cutoff ?? null;
  }
}
