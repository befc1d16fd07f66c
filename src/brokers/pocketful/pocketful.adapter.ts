import { BROKER_NAMES } from '../broker-names';
import { Clock } from '../../clock/clock';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { vaultError } from '../../errors/vault-error';
import { BrokerAccount, BrokerAdapter, BrokerGrant, CallbackOutcome, LoginStart } from '../broker-adapter';
import { earliest, jwtExpiry } from '../jwt-expiry';
import { PocketfulClient } from './pocketful.client';

/** The callback's shapes, as the login route checks them today (login/login.service.ts). */
const CODE_SHAPE = /^[\x21-\x7e]{1,2048}$/;
const ERROR_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_REASON = 300;

/**
 * Pocketful behind the broker port, on the client the login already uses (the same calls, metrics and scrubbing):
 * OAuth2 with PKCE, Basic app credentials at the exchange, `trading_info` as whoami. Its cut-off is the vault's
 * TOKEN_EXPIRY_TIME (TokenSettings.cutoff, 00:00 IST by default), handed in by whoever builds the adapter.
 */
export class PocketfulAdapter extends BrokerAdapter {
  readonly id = 'pocketful';
  readonly displayName = BROKER_NAMES.pocketful;

  constructor(
    private readonly client: PocketfulClient,
    readonly cutoff: DailyCutoff,
    private readonly clock: Clock,
  ) {
    super();
  }

  loginStart(state: string): LoginStart {
    return this.client.authorizeRequest(state);
  }

  /**
   * `code` and `state` back from a login, or OAuth2's `error` and `error_description` from one refused at
   * Pocketful (`access_denied` when the person cancelled). A callback with neither is refused before anything is
   * sent to Pocketful, as the login route does.
   */
  readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome {
    if (query.error !== undefined) {
      const error = typeof query.error === 'string' && ERROR_SHAPE.test(query.error) ? query.error : 'unknown_error';
      const description = query.error_description;
      const reason =
        typeof description === 'string' && description.trim() !== ''
          ? description.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_REASON)
          : error;
      return { kind: 'refused', reason, error };
    }
    const code = query.code;
    if (typeof code !== 'string' || !CODE_SHAPE.test(code)) {
      throw vaultError('code_missing', 'The answer from Pocketful carries no authorization code. Nothing was stored, and the login was left as it was.');
    }
    return { kind: 'code', code };
  }

  /**
   * One call to /oauth2/token, with the PKCE verifier loginStart kept. `expires_in` counts from the answer; a
   * Pocketful token is fosite's opaque two-part string, not a JWT, so jwtExpiry finds nothing in it today and would
   * only ever end a token sooner should Pocketful move to JWTs.
   */
  async exchange(code: string, start: Pick<LoginStart, 'verifier'>): Promise<BrokerGrant> {
    const grant = await this.client.exchangeCode(code, start.verifier);
    const answeredAt = this.clock.now().getTime();
    const byLifetime = grant.expiresIn === undefined ? undefined : new Date(answeredAt + grant.expiresIn * 1000);
    return {
      accessToken: grant.accessToken,
      tokenType: grant.tokenType,
      scope: grant.scope,
      notAfter: earliest(byLifetime, jwtExpiry(grant.accessToken)),
    };
  }

  async whoami(accessToken: string): Promise<BrokerAccount> {
    const { clientId } = await this.client.tradingInfo(accessToken);
    return { account: clientId };
  }
}
