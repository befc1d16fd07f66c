import { BROKER_NAMES } from '../broker-names';
import { HttpService } from '@nestjs/axios';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../broker-adapter';
import { BrokerError, BrokerFailure } from '../broker-error';
import { BrokerHttp, whoamiFailure } from '../broker-http';
import { BrokerMetrics } from '../broker-metrics';
import { jwtExpiry } from '../jwt-expiry';
import { kiteChecksum } from './kite-checksum';
import { ZerodhaSettings } from './zerodha.settings';

const KITE_VERSION = '3';

type Query = Readonly<Record<string, string | undefined>>;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * Kite Connect v3 (kite.trade/docs/connect/v3/user): the login page, the request token's exchange with a checksum in
 * place of the secret, and the profile call. Calls are never retried: a request token is single-use.
 */
export class ZerodhaAdapter extends BrokerAdapter {
  readonly id = 'zerodha' as const;
  readonly displayName = BROKER_NAMES.zerodha;
  readonly cutoff: DailyCutoff;
  /** The scheme Kite's Authorization header names (`token api_key:access_token`). */
  override readonly tokenType = 'token';
  private readonly http: BrokerHttp<'zerodha'>;

  constructor(
    http: HttpService,
    private readonly settings: ZerodhaSettings,
    metrics: BrokerMetrics,
  ) {
    super();
    this.cutoff = settings.cutoff;
    this.http = new BrokerHttp(http, metrics, 'zerodha', settings.timeoutMs);
  }

  /** Kite has no `state`: it carries it in `redirect_params`, a query string it appends as is to the redirect URL. */
  loginStart(state: string): LoginStart {
    const query = new URLSearchParams({
      api_key: this.settings.apiKey,
      v: KITE_VERSION,
      redirect_params: new URLSearchParams({ state }).toString(),
    });
    return { url: `${this.settings.loginUrl}/connect/login?${query.toString()}` };
  }

  /**
   * `?request_token=…&action=login&type=login&status=success&state=…`. Kite documents only success; what a cancelled
   * or failed login sends back is inferred: any other status, or no request token, is no login.
   */
  readCallback(query: Query): CallbackOutcome {
    const requestToken = text(query.request_token);
    if (query.status !== 'success') return { kind: 'refused', reason: 'The login at Zerodha was cancelled or did not succeed.' };
    if (!requestToken) return { kind: 'refused', reason: 'Zerodha sent the login back without a request token.' };
    return { kind: 'code', code: requestToken };
  }

  async exchange(requestToken: string): Promise<BrokerGrant> {
    const { apiKey, apiSecret, apiUrl } = this.settings;
    const checksum = kiteChecksum(apiKey, requestToken, apiSecret);
    return this.http.send({
      endpoint: 'token',
      call: 'the request token exchange',
      secrets: [requestToken, apiSecret, checksum],
      request: {
        method: 'POST',
        url: `${apiUrl}/session/token`,
        data: new URLSearchParams({ api_key: apiKey, request_token: requestToken, checksum }).toString(),
        headers: { 'X-Kite-Version': KITE_VERSION, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      },
      read: (response) => {
        const data = (response.data as { data?: Record<string, unknown> } | undefined)?.data;
        const accessToken = typeof data?.access_token === 'string' && data.access_token !== '' ? data.access_token : undefined;
        if (accessToken === undefined) throw new BrokerError('malformed', 'Zerodha answered the request token exchange without an access token');
        return {
          accessToken,
          tokenType: this.tokenType,
          // Kite has no scopes.
          scope: '',
          account: text(data?.user_id),
          // Kite's answer gives no lifetime and its tokens are opaque today: a JWT's `exp` would only ever end one sooner.
          notAfter: jwtExpiry(accessToken),
        };
      },
    });
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    const authorization = `token ${this.settings.apiKey}:${accessToken}`;
    return this.http.send({
      endpoint: 'profile',
      call: 'the profile call',
      secrets: [accessToken, authorization],
      request: {
        method: 'GET',
        url: `${this.settings.apiUrl}/user/profile`,
        headers: { Authorization: authorization, 'X-Kite-Version': KITE_VERSION, Accept: 'application/json' },
      },
      failureOf: profileFailure,
      read: (response) => {
        const account = text((response.data as { data?: { user_id?: unknown } } | undefined)?.data?.user_id);
        if (account === undefined) throw new BrokerError('malformed', 'Zerodha answered the profile call without a user id');
        return { account };
      },
    });
  }
}

/**
 * Kite says a session is dead with 403 TokenException; its other 403s (PermissionException, or a proxy's page) say
 * nothing of the token, and must not get it removed.
 */
function profileFailure(status: number, brokerCode: string | undefined): BrokerFailure {
  const failure = whoamiFailure(status);
  return failure === 'unauthorized' && brokerCode !== 'TokenException' ? 'rejected' : failure;
}
