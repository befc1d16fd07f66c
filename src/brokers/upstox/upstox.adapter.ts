import { BROKER_NAMES } from '../broker-names';
import { HttpService } from '@nestjs/axios';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../broker-adapter';
import { BrokerError } from '../broker-error';
import { BrokerHttp, whoamiFailure } from '../broker-http';
import { BrokerMetrics } from '../broker-metrics';
import { jwtExpiry } from '../jwt-expiry';
import { UpstoxSettings } from './upstox.settings';

/** An OAuth error code as a redirect carries it: short and plain, so it is safe to show as it is. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * Upstox's API v2 login (upstox.com/developer/api-documentation: authorize, get-token, get-profile): an OAuth2
 * authorization code whose `state` Upstox returns as is, exchanged once with the app's secret in the form, for a JWT
 * access token that dies at 03:30 IST. The exchange answer is flat (not wrapped in `data`) and names the account.
 */
export class UpstoxAdapter extends BrokerAdapter {
  readonly id = 'upstox' as const;
  readonly displayName = BROKER_NAMES.upstox;
  readonly cutoff: DailyCutoff;
  private readonly http: BrokerHttp<'upstox'>;

  constructor(
    http: HttpService,
    private readonly settings: UpstoxSettings,
    metrics: BrokerMetrics,
  ) {
    super();
    this.cutoff = settings.cutoff;
    this.http = new BrokerHttp(http, metrics, 'upstox', settings.timeoutMs);
  }

  loginStart(state: string): LoginStart {
    const { baseUrl, apiKey, redirectUrl } = this.settings;
    const query = new URLSearchParams({ response_type: 'code', client_id: apiKey, redirect_uri: redirectUrl, state });
    return { url: `${baseUrl}/v2/login/authorization/dialog?${query.toString()}` };
  }

  /**
   * `?code=…&state=…` after a login. What a cancelled login brings back is not documented: Upstox's login is
   * OAuth2, so it is taken to be RFC 6749's `?error=…&error_description=…&state=…` (inferred). No code, or an
   * error beside one, is a refusal; the broker's own description is not shown, as nothing bounds what it holds.
   */
  readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome {
    const code = nonEmpty(query.code);
    const error = nonEmpty(query.error);
    if (code !== undefined && error === undefined) return { kind: 'code', code };
    const shaped = error !== undefined && ERROR_CODE.test(error) ? error : undefined;
    const reason = shaped !== undefined ? `Upstox did not log you in (${shaped}).` : 'Upstox sent the browser back without a login code.';
    // OAuth2's own code, so that a person's cancel (`access_denied`) reads as one, as at Pocketful.
    return shaped === undefined ? { kind: 'refused', reason } : { kind: 'refused', reason, error: shaped };
  }

  /**
   * Upstox spends the code on this call whatever its outcome (its Get Token page): never retried. Upstox takes no
   * PKCE verifier, so `start` carries nothing for it.
   */
  async exchange(code: string, _start?: Pick<LoginStart, 'verifier'>): Promise<BrokerGrant> {
    const { baseUrl, apiKey, apiSecret, redirectUrl } = this.settings;
    const form = new URLSearchParams({
      code,
      client_id: apiKey,
      client_secret: apiSecret,
      redirect_uri: redirectUrl,
      grant_type: 'authorization_code',
    });
    const secrets = [code, apiSecret];
    return this.http.send({
      endpoint: 'token',
      call: 'exchange',
      secrets,
      request: {
        method: 'POST',
        url: `${baseUrl}/v2/login/authorization/token`,
        data: form.toString(),
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      read: (response) => {
        const answer = asRecord(response.data);
        if (answer?.status === 'error') throw this.http.refusal('exchange', response.status, response.data, secrets, 'rejected');
        // Only `access_token` trades. An app may also get `extended_token`, read-only and living about a year: taking
        // it in its place would store a token that cannot place an order and outlives every cut-off.
        const accessToken = nonEmpty(answer?.access_token);
        if (accessToken === undefined) throw new BrokerError('malformed', 'Upstox answered the code exchange without an access token');
        return {
          accessToken,
          tokenType: this.tokenType,
          scope: '',
          account: nonEmpty(answer?.user_id),
          notAfter: jwtExpiry(accessToken),
        };
      },
    });
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    const authorization = `Bearer ${accessToken}`;
    const secrets = [accessToken, authorization];
    return this.http.send({
      endpoint: 'profile',
      call: 'profile',
      secrets,
      request: {
        method: 'GET',
        url: `${this.settings.baseUrl}/v2/user/profile`,
        headers: { Authorization: authorization, Accept: 'application/json' },
      },
      failureOf: whoamiFailure,
      read: (response) => {
        const answer = asRecord(response.data);
        // Upstox refuses a dead token with 401 (UDAPI100050); an "error" inside a 2xx is not documented, so it says
        // nothing certain of the token.
        if (answer?.status === 'error') throw this.http.refusal('profile', response.status, response.data, secrets, 'malformed');
        // Only the user id is kept: the profile also carries the person's e-mail and name.
        const account = nonEmpty(asRecord(answer?.data)?.user_id);
        if (account === undefined) throw new BrokerError('malformed', 'Upstox answered the profile call without a user id');
        return { account };
      },
    });
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
