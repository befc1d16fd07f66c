import { DailyCutoff } from '../../clock/daily-cutoff';
import { trimSlash } from '../../config/variables';

export const ZERODHA_LOGIN_URL = 'https://kite.zerodha.com';
export const ZERODHA_API_URL = 'https://api.kite.trade';
/** Kite ends every access token at 06:00 in India the morning after its issue. */
export const ZERODHA_CUTOFF = '06:00';

export interface ZerodhaSettingsValues {
  apiKey: string;
  apiSecret: string;
  redirectUrl: string;
  loginUrl?: string;
  apiUrl?: string;
  timeoutMs?: number;
  cutoff?: DailyCutoff;
}

/** Where Kite Connect is and who the vault is to it. */
export class ZerodhaSettings {
  readonly apiKey: string;
  readonly apiSecret: string;
  /**
   * The redirect URL registered with the app on Kite's developer console. Kite takes none in a request: it always
   * sends the browser back there, so the vault's callback route must be this URL.
   */
  readonly redirectUrl: string;
  /** Where the person logs in (kite.zerodha.com); the API is on another host. */
  readonly loginUrl: string;
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly cutoff: DailyCutoff;

  constructor(values: ZerodhaSettingsValues) {
    this.apiKey = values.apiKey;
    this.apiSecret = values.apiSecret;
    this.redirectUrl = values.redirectUrl;
    this.loginUrl = trimSlash(values.loginUrl ?? ZERODHA_LOGIN_URL);
    this.apiUrl = trimSlash(values.apiUrl ?? ZERODHA_API_URL);
    this.timeoutMs = values.timeoutMs ?? 10_000;
    this.cutoff = values.cutoff ?? DailyCutoff.parse(ZERODHA_CUTOFF);
  }
}
