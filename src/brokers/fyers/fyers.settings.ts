import { DailyCutoff } from '../../clock/daily-cutoff';

/** Fyers' API host, as its API v3 documentation and SDKs name it. */
export const FYERS_BASE_URL = 'https://api-t1.fyers.in';

/**
 * Fyers documents no daily cut-off. Every access token seen in public code (ten, issued between 00:42 and 18:59 IST
 * in 2023-2025) carries a JWT `exp` of 06:00 IST the next morning (plus the issue's own seconds): the cut-off is
 * inferred from those, and the token's own `exp` still wins when it is earlier.
 */
export const FYERS_CUTOFF = '06:00';

/** Who the vault is to Fyers and where Fyers is: an app's credentials from its API dashboard. */
export class FyersSettings {
  /** The App ID, as Fyers writes it: `XXXXXXXXXX-100`. */
  readonly appId: string;
  readonly appSecret: string;
  /** The redirect URL registered with the app; Fyers sends the browser back there. */
  readonly redirectUrl: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly cutoff: DailyCutoff;

  constructor(values: {
    appId: string;
    appSecret: string;
    redirectUrl: string;
    baseUrl?: string;
    timeoutMs?: number;
    cutoff?: DailyCutoff;
  }) {
    this.appId = values.appId;
    this.appSecret = values.appSecret;
    this.redirectUrl = values.redirectUrl;
    this.baseUrl = (values.baseUrl ?? FYERS_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = values.timeoutMs ?? 10_000;
    this.cutoff = values.cutoff ?? DailyCutoff.parse(FYERS_CUTOFF);
  }
}
