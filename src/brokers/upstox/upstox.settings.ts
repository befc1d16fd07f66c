import { DailyCutoff } from '../../clock/daily-cutoff';
import { trimSlash } from '../../config/variables';

/** Upstox's own API host, where its login page, token exchange and profile call all live. */
export const UPSTOX_BASE_URL = 'https://api.upstox.com';
/** Upstox ends every access token at 03:30 IST, whatever the time of issue (its Get Token page). */
export const UPSTOX_CUTOFF = '03:30';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface UpstoxSettingsValues {
  /** The app's API key, which Upstox calls `client_id`. */
  apiKey: string;
  /** The app's API secret, sent as `client_secret` in the exchange's form. */
  apiSecret: string;
  /** The redirect URL registered with the app: Upstox compares it with the one each call sends. */
  redirectUrl: string;
  baseUrl?: string;
  timeoutMs?: number;
  cutoff?: DailyCutoff;
}

/** Where Upstox is and who the vault is to it. */
export class UpstoxSettings {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly redirectUrl: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly cutoff: DailyCutoff;

  constructor(values: UpstoxSettingsValues) {
    this.apiKey = values.apiKey;
    this.apiSecret = values.apiSecret;
    this.redirectUrl = values.redirectUrl;
    this.baseUrl = trimSlash(values.baseUrl ?? UPSTOX_BASE_URL);
    this.timeoutMs = values.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.cutoff = values.cutoff ?? DailyCutoff.parse(UPSTOX_CUTOFF);
  }
}
