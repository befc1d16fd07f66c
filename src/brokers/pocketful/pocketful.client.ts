import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { BrokerSettings } from './pocketful.config';
import { BrokerMetrics } from '../broker-metrics';
import { BrokerError } from '../broker-error';
import { BrokerHttp, whoamiFailure } from '../broker-http';
import { newPkcePair } from '../pkce';

export interface TokenGrant {
  accessToken: string;
  tokenType: string;
  scope: string;
  /** Seconds, as Pocketful said; undefined when it did not say. */
  expiresIn?: number;
}

/** Where to send the person, and the PKCE verifier to keep for the exchange (none when POCKETFUL_PKCE=false). */
export interface AuthorizeRequest {
  url: string;
  verifier?: string;
}

export interface TradingAccount {
  clientId: string;
}

/** Form encoding as RFC 6749 §2.3.1 wants it for Basic credentials: a secret with `+`, `%` or `:` survives. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * Pocketful's OAuth2 and account endpoints. Calls are never retried here: an authorization code is single-use
 * and a second exchange revokes the token the first one produced.
 */
@Injectable()
export class PocketfulClient {
  private readonly http: BrokerHttp<'pocketful'>;

  constructor(
    http: HttpService,
    private readonly broker: BrokerSettings,
    metrics: BrokerMetrics,
  ) {
    this.http = new BrokerHttp(http, metrics, 'pocketful', broker.timeoutMs);
  }

  authorizeRequest(state: string): AuthorizeRequest {
    const { baseUrl, scope, redirectUrl, appId } = this.broker;
    const query = new URLSearchParams({
      scope,
      state,
      redirect_uri: redirectUrl,
      response_type: 'code',
      client_id: appId,
    });
    const pkce = this.broker.pkce ? newPkcePair() : undefined;
    if (pkce) {
      query.set('code_challenge', pkce.challenge);
      query.set('code_challenge_method', 'S256');
    }
    return { url: `${baseUrl}/oauth2/auth?${query.toString()}`, verifier: pkce?.verifier };
  }

  /** `verifier` is the one authorizeRequest gave for this login: sent only if a challenge went out with it. */
  async exchangeCode(code: string, verifier?: string): Promise<TokenGrant> {
    const { baseUrl, appId, appSecret, redirectUrl } = this.broker;
    const basic = Buffer.from(`${formEncode(appId)}:${formEncode(appSecret)}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUrl });
    if (verifier) body.set('code_verifier', verifier);
    const secrets = verifier ? [code, appSecret, basic, verifier] : [code, appSecret, basic];
    return this.http.send({
      endpoint: 'token',
      call: 'exchange',
      secrets,
      request: {
        method: 'POST',
        url: `${baseUrl}/oauth2/token`,
        data: body.toString(),
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          'Cache-Control': 'no-cache',
        },
      },
      read: (response) => this.readGrant(response.data),
    });
  }

  async tradingInfo(accessToken: string): Promise<TradingAccount> {
    return this.http.send({
      endpoint: 'trading_info',
      call: 'trading_info',
      secrets: [accessToken],
      request: {
        method: 'GET',
        url: `${this.broker.baseUrl}/api/v1/user/trading_info`,
        headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      },
      failureOf: whoamiFailure,
      read: (response) => {
        const body = response.data as { status?: unknown; data?: { client_id?: unknown } } | undefined;
        if (body?.status === 'error') {
          // Pocketful's API can say "error" with HTTP 200: the token is not one it accepts.
          throw this.http.refusal('trading_info', response.status, response.data, [accessToken], 'unauthorized');
        }
        const clientId = body?.data?.client_id;
        if (typeof clientId !== 'string' || clientId.trim() === '') {
          throw new BrokerError('malformed', 'Pocketful answered trading_info without a client id');
        }
        // Only the client id is kept: the full answer can carry PAN and bank details.
        return { clientId: clientId.trim() };
      },
    });
  }

  private readGrant(data: unknown): TokenGrant {
    const grant = (data ?? {}) as Record<string, unknown>;
    if (typeof grant.access_token !== 'string' || grant.access_token.length === 0) {
      throw new BrokerError('malformed', 'Pocketful answered the code exchange without an access token');
    }
    const expiresIn = typeof grant.expires_in === 'number' && grant.expires_in > 0 ? grant.expires_in : undefined;
    return {
      accessToken: grant.access_token,
      tokenType: typeof grant.token_type === 'string' ? grant.token_type : 'bearer',
      scope: typeof grant.scope === 'string' ? grant.scope : this.broker.scope,
      expiresIn,
    };
  }
}
