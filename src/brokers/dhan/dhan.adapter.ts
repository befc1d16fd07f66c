import { HttpService } from '@nestjs/axios';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../broker-adapter';
import { BrokerError, BrokerFailure } from '../broker-error';
import { BrokerHttp, whoamiFailure } from '../broker-http';
import { BrokerMetrics } from '../broker-metrics';
import { BROKER_NAMES } from '../broker-names';
import { earliest, jwtExpiry } from '../jwt-expiry';
import { dhanExpiryTime } from './dhan-expiry-time';
import { DHAN_TOKEN_LIFETIME_MS, DhanSettings } from './dhan.settings';

/** Dhan's code for a token it will not take (its annexure: "Client ID or user generated access token is invalid or expired"). */
const TOKEN_REFUSED = 'DH-901';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Dhan's API-key login (DhanHQ v2 docs, Authentication; DhanLogin in its Python SDK): generate-consent, server to
 * server, before the browser goes to the consent's login page; back at the redirect URL with `?tokenId=…` alone, no
 * state, so the login cookie carries the vault's (`returnsState`); consumeApp-consent exchanges the token id once; the
 * profile call is whoami. A token dies 24 h after its issue, as the answer's `expiryTime` says: there is no daily
 * cut-off unless DHAN_TOKEN_EXPIRY_TIME sets one.
 */
export class DhanAdapter extends BrokerAdapter {
  readonly id = 'dhan' as const;
  readonly displayName = BROKER_NAMES.dhan;
  readonly cutoff: DailyCutoff | null;
  override readonly lifetimeMs = DHAN_TOKEN_LIFETIME_MS;
  override readonly returnsState = false;
  private readonly http: BrokerHttp<'dhan'>;

  constructor(
    http: HttpService,
    private readonly settings: DhanSettings,
    metrics: BrokerMetrics,
  ) {
    super();
    this.cutoff = settings.cutoff;
    this.http = new BrokerHttp(http, metrics, 'dhan', settings.timeoutMs);
  }

  /** Dhan takes no state: a consent for the configured client, and its login page. The state stays in the cookie. */
  async loginStart(_state: string): Promise<LoginStart> {
    const { authUrl, clientId } = this.settings;
    const consentAppId = await this.http.send({
      endpoint: 'generate_consent',
      call: 'generate-consent',
      secrets: [this.settings.apiSecret],
      request: {
        method: 'POST',
        url: `${authUrl}/app/generate-consent?${new URLSearchParams({ client_id: clientId }).toString()}`,
        headers: this.appHeaders(),
      },
      read: (response) => {
        const body = asRecord(response.data);
        const id = text(body?.consentAppId);
        // The SDK takes a consent only with status "success"; another status in a 2xx is a refusal.
        if (body?.status !== undefined && body.status !== 'success') {
          throw this.http.refusal('generate-consent', response.status, response.data, [this.settings.apiSecret], 'rejected');
        }
        if (id === undefined) throw new BrokerError('malformed', 'Dhan answered generate-consent without a consentAppId');
        return id;
      },
    });
    return { url: `${authUrl}/login/consentApp-login?${new URLSearchParams({ consentAppId }).toString()}` };
  }

  /**
   * `?tokenId=…` after a login (`tokenid` in Dhan's partner docs, read too). Dhan sends no state: any `state` in the
   * query is not Dhan's, and is never read. What a cancelled login sends back is not documented: no token id is a refusal.
   */
  readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome {
    const tokenId = text(query.tokenId) ?? text(query.tokenid);
    if (tokenId === undefined) {
      return { kind: 'refused', reason: 'Dhan sent the browser back without a token id: the login was cancelled or did not succeed.' };
    }
    return { kind: 'code', code: tokenId };
  }

  /** consumeApp-consent, once: the token id is Dhan's single-use code. Dhan takes no PKCE verifier. */
  async exchange(tokenId: string, _start?: Pick<LoginStart, 'verifier'>): Promise<BrokerGrant> {
    const secrets = [tokenId, this.settings.apiSecret];
    return this.http.send({
      endpoint: 'consumeApp_consent',
      call: 'consumeApp-consent',
      secrets,
      request: {
        method: 'GET',
        url: `${this.settings.authUrl}/app/consumeApp-consent?${new URLSearchParams({ tokenId }).toString()}`,
        headers: this.appHeaders(),
      },
      read: (response) => {
        const body = asRecord(response.data);
        const accessToken = text(body?.accessToken);
        if (accessToken === undefined) throw new BrokerError('malformed', 'Dhan answered consumeApp-consent without an access token');
        return {
          accessToken,
          tokenType: this.tokenType,
          // Dhan has no scopes.
          scope: '',
          account: text(body?.dhanClientId),
          // The answer's expiryTime, or the token's own JWT exp, whichever is earlier; 24 h after issue at the latest.
          notAfter: earliest(dhanExpiryTime(body?.expiryTime), jwtExpiry(accessToken)),
        };
      },
    });
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    return this.http.send({
      endpoint: 'profile',
      call: 'the profile call',
      secrets: [accessToken],
      request: { method: 'GET', url: `${this.settings.apiUrl}/v2/profile`, headers: { 'access-token': accessToken, Accept: 'application/json' } },
      failureOf: profileFailure,
      read: (response) => {
        const account = text(asRecord(response.data)?.dhanClientId);
        if (account === undefined) throw new BrokerError('malformed', 'Dhan answered the profile call without a client id (dhanClientId)');
        return { account };
      },
    });
  }

  private appHeaders(): Record<string, string> {
    return { app_id: this.settings.apiKey, app_secret: this.settings.apiSecret, Accept: 'application/json' };
  }
}

/**
 * Only DH-901 is Dhan's verdict on the token; its other refusals (DH-902, no access to the API; a proxy's 403 page)
 * say nothing of it, and must not get it removed.
 */
function profileFailure(status: number, brokerCode: string | undefined): BrokerFailure {
  const failure = whoamiFailure(status);
  if (brokerCode === TOKEN_REFUSED && status < 500) return 'unauthorized';
  return failure === 'unauthorized' ? 'rejected' : failure;
}
