import { BROKER_NAMES } from '../broker-names';
import { createHash } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../broker-adapter';
import { BrokerError, BrokerFailure } from '../broker-error';
import { BrokerHttp, whoamiFailure } from '../broker-http';
import { BrokerMetrics } from '../broker-metrics';
import { jwtExpiry } from '../jwt-expiry';
import { FyersSettings } from './fyers.settings';

/**
 * Fyers' codes for a token it will not take, inferred (Fyers publishes no list): -15 "Please provide valid token"
 * and -17 "Could not authenticate the user or Token is Expired" were recorded from its API with HTTP 401; -16
 * "Could not authenticate the user" is what SDK users report for an expired token; -8 comes from notes on the
 * older API, with no source found. Any of them is the broker's verdict on the token, whatever the HTTP status.
 */
const TOKEN_REFUSED = new Set(['-8', '-15', '-16', '-17']);

/** A code Fyers puts in the callback's `code` (a status number, not the authorization code), safe to show. */
const STATUS_CODE = /^-?\d{1,6}$/;

/** What Fyers' validate-authcode wants in place of the secret: SHA-256 hex of `app_id:app_secret`. */
export function fyersAppIdHash(appId: string, appSecret: string): string {
  return createHash('sha256').update(`${appId}:${appSecret}`, 'utf8').digest('hex');
}

/**
 * Fyers API v3: the login page at generate-authcode, a callback of `s`, `code` (a status), `auth_code` and `state`,
 * one exchange at validate-authcode with the appIdHash, and the profile as whoami with `Authorization: app_id:token`.
 * The refresh token Fyers also hands out is never read: using it needs the person's PIN, and a daily login is the
 * point. Fyers answers its errors as `{s:"error", code, message}`, with an HTTP error status or inside a 200.
 */
export class FyersAdapter extends BrokerAdapter {
  readonly id = 'fyers' as const;
  readonly displayName = BROKER_NAMES.fyers;
  readonly cutoff: DailyCutoff;
  private readonly http: BrokerHttp<'fyers'>;

  constructor(
    http: HttpService,
    private readonly settings: FyersSettings,
    metrics: BrokerMetrics,
  ) {
    super();
    this.cutoff = settings.cutoff;
    this.http = new BrokerHttp(http, metrics, 'fyers', settings.timeoutMs);
  }

  loginStart(state: string): LoginStart {
    const { baseUrl, appId, redirectUrl } = this.settings;
    const query = new URLSearchParams({ client_id: appId, redirect_uri: redirectUrl, response_type: 'code', state });
    return { url: `${baseUrl}/api/v3/generate-authcode?${query.toString()}` };
  }

  readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome {
    if (query.s !== 'ok') {
      const status = query.code !== undefined && STATUS_CODE.test(query.code) ? ` (code ${query.code})` : '';
      return { kind: 'refused', reason: `Fyers did not complete the login${status}` };
    }
    if (!query.auth_code) return { kind: 'refused', reason: 'Fyers sent the login back without an authorization code' };
    return { kind: 'code', code: query.auth_code };
  }

  /** Fyers takes no PKCE verifier with the appIdHash: loginStart gives none, so `start` carries nothing to send. */
  async exchange(code: string, _start: Pick<LoginStart, 'verifier'>): Promise<BrokerGrant> {
    const { baseUrl, appId, appSecret } = this.settings;
    const appIdHash = fyersAppIdHash(appId, appSecret);
    const secrets = [code, appSecret, appIdHash];
    return this.http.send({
      endpoint: 'validate_authcode',
      call: 'validate-authcode',
      secrets,
      request: {
        method: 'POST',
        url: `${baseUrl}/api/v3/validate-authcode`,
        data: { grant_type: 'authorization_code', appIdHash, code },
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      },
      read: (response) => {
        const body = asRecord(response.data);
        if (body?.s === 'error') throw this.http.refusal('validate-authcode', response.status, response.data, secrets, 'rejected');
        const accessToken = body?.access_token;
        if (body?.s !== 'ok' || typeof accessToken !== 'string' || accessToken.length === 0) {
          throw new BrokerError('malformed', 'Fyers answered validate-authcode without an access token');
        }
        // Fyers' answer says nothing of the token's life or scope: its JWT `exp` is the only word on it.
        return { accessToken, tokenType: this.tokenType, scope: '', notAfter: jwtExpiry(accessToken) };
      },
    });
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    const { baseUrl, appId } = this.settings;
    const authorization = `${appId}:${accessToken}`;
    const secrets = [accessToken, authorization];
    return this.http.send({
      endpoint: 'profile',
      call: 'profile',
      secrets,
      request: { method: 'GET', url: `${baseUrl}/api/v3/profile`, headers: { Authorization: authorization, Accept: 'application/json' } },
      failureOf: profileFailure,
      read: (response) => {
        const body = asRecord(response.data);
        if (body?.s === 'error') {
          // An error inside a 200: only a token code is a verdict on the token; anything else says nothing of it.
          const code = body.code === undefined ? '' : String(body.code);
          throw this.http.refusal('profile', response.status, response.data, secrets, TOKEN_REFUSED.has(code) ? 'unauthorized' : 'unavailable');
        }
        const fyId = asRecord(body?.data)?.fy_id;
        if (body?.s !== 'ok' || typeof fyId !== 'string' || fyId.trim() === '') {
          throw new BrokerError('malformed', 'Fyers answered profile without a client id (fy_id)');
        }
        // Only the client id is kept: the profile also carries the person's PAN, e-mail and phone number.
        return { account: fyId.trim() };
      },
    });
  }
}

/** A 4xx other than 401/403 that names a token code is still Fyers refusing the token. */
function profileFailure(status: number, brokerCode: string | undefined): BrokerFailure {
  const failure = whoamiFailure(status);
  return failure === 'rejected' && TOKEN_REFUSED.has(brokerCode ?? '') ? 'unauthorized' : failure;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
