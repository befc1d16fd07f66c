import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { IST_OFFSET_MS } from '../../clock/ist-time';
import { StandInApp } from '../broker-stand-in';
import { DHAN_TOKEN_LIFETIME_MS } from './dhan.settings';

/** The vault's app at its own stand-in of Dhan (SANDBOX=true), and the users there: Dhan client ids, ten digits. */
export const DHAN_SANDBOX_APP: StandInApp = { key: 'sandbox-app-id', secret: 'sandbox-secret', accounts: ['1000000001', '1000000002'] };

export interface DhanSandboxOptions {
  /** The API key (`app_id`). */
  apiKey: string;
  /** The API secret (`app_secret`). */
  apiSecret: string;
  /** The redirect URL given when the key was made: every login goes back there. */
  redirectUrl: string;
  /** The Dhan client ids that can log in. */
  accounts: readonly string[];
  now?: () => number;
}

/** An answer as Dhan gives it: the HTTP status and its JSON body. */
export interface DhanReply {
  status: number;
  body: unknown;
}

/** The `app_id` and `app_secret` headers of a consent call, as sent. */
export interface DhanAppHeaders {
  appId?: string;
  appSecret?: string;
}

/** How long a consent and a token id can be used: Dhan does not say; minutes are inferred. */
const CONSENT_LIFETIME_MS = 10 * 60_000;
const TOKEN_ID_LIFETIME_MS = 5 * 60_000;

/**
 * Dhan's errors: `{errorType, errorCode, errorMessage}` (DhanHQ's annexure and SDK). DH-901 with HTTP 401 for a token
 * it refuses is as the annexure and its users report; which code and status the consent calls answer is inferred.
 */
const dhanError = (status: number, errorType: string, errorCode: string, errorMessage: string): DhanReply => ({
  status,
  body: { errorType, errorCode, errorMessage },
});
const BAD_APP = () => dhanError(401, 'Invalid_Authentication', 'DH-901', 'Invalid app_id or app_secret');
const DEAD_TOKEN = () => dhanError(401, 'Invalid_Authentication', 'DH-901', 'Client ID or user generated access token is invalid or expired.');

interface Consent {
  clientId: string;
  expiresAt: number;
  used: boolean;
}

interface TokenId {
  clientId: string;
  expiresAt: number;
  used: boolean;
}

interface Session {
  clientId: string;
  expiresAt: number;
  ended: boolean;
}

/**
 * Dhan's API-key login and profile in-process, as DhanHQ's docs and Python SDK describe them: generate-consent (the
 * app in the `app_id`/`app_secret` headers, the user in `client_id`) gives a consentAppId; the login page for it logs
 * in that user and sends the browser to the redirect URL with `?tokenId=…` and nothing else (no state); a token id
 * is consumed once for an access token, a JWT that dies 24 h after issue (`expiryTime`, India's time, no zone);
 * the profile answers to the `access-token` header. `now` is the broker's clock.
 */
export class DhanSandbox {
  private readonly consents = new Map<string, Consent>();
  private readonly tokenIds = new Map<string, TokenId>();
  private readonly sessions = new Map<string, Session>();
  private readonly signingKey = randomBytes(32);
  private readonly now: () => number;

  constructor(readonly options: DhanSandboxOptions) {
    this.now = options.now ?? Date.now;
  }

  /** POST /app/generate-consent?client_id=… */
  generateConsent(clientId: string | undefined, app: DhanAppHeaders): DhanReply {
    if (!this.isApp(app)) return BAD_APP();
    if (clientId === undefined || !this.options.accounts.includes(clientId)) {
      return dhanError(400, 'Input_Exception', 'DH-905', 'Invalid client_id');
    }
    const consentAppId = randomUUID();
    this.consents.set(consentAppId, { clientId, expiresAt: this.now() + CONSENT_LIFETIME_MS, used: false });
    return { status: 200, body: { consentAppId, consentAppStatus: 'GENERATED', status: 'success' } };
  }

  /** Why the login page would not show for this consent, or null when it would. */
  loginProblem(consentAppId: string | undefined): string | null {
    const consent = consentAppId === undefined ? undefined : this.consents.get(consentAppId);
    if (!consent) return 'unknown consentAppId';
    if (consent.used) return 'this consent was already used';
    if (consent.expiresAt <= this.now()) return 'this consent has expired';
    return null;
  }

  /** The user a consent was generated for: the one account its login page offers. */
  clientOf(consentAppId: string | undefined): string | undefined {
    return consentAppId === undefined ? undefined : this.consents.get(consentAppId)?.clientId;
  }

  /**
   * Where the browser goes once the person has logged in as `account` (null: cancelled) on the consent's page: the
   * redirect URL with the token id. What a cancel sends back is not documented: the redirect URL without one is inferred.
   */
  redirectAfterLogin(consentAppId: string | undefined, account: string | null): string {
    const problem = this.loginProblem(consentAppId);
    if (problem) throw new Error(`Dhan's login page refused the consent: ${problem}`);
    const consent = this.consents.get(consentAppId as string) as Consent;
    if (account !== null && account !== consent.clientId) throw new Error(`the consent is for ${consent.clientId}, not ${account}`);
    consent.used = true;
    const target = new URL(this.options.redirectUrl);
    if (account !== null) target.searchParams.set('tokenId', this.issueTokenId(account));
    return target.toString();
  }

  issueTokenId(clientId: string): string {
    const tokenId = randomUUID();
    this.tokenIds.set(tokenId, { clientId, expiresAt: this.now() + TOKEN_ID_LIFETIME_MS, used: false });
    return tokenId;
  }

  /** GET /app/consumeApp-consent?tokenId=… */
  consumeConsent(tokenId: string | undefined, app: DhanAppHeaders): DhanReply {
    if (!this.isApp(app)) return BAD_APP();
    const issued = tokenId === undefined ? undefined : this.tokenIds.get(tokenId);
    if (!issued || issued.used || issued.expiresAt <= this.now()) return dhanError(400, 'Input_Exception', 'DH-905', 'Invalid or expired tokenId');
    issued.used = true;
    const { accessToken, expiresAt } = this.mint(issued.clientId);
    return {
      status: 200,
      body: {
        dhanClientId: issued.clientId,
        dhanClientName: `SANDBOX CLIENT ${issued.clientId}`,
        dhanClientUcc: 'SBX0001',
        givenPowerOfAttorney: false,
        accessToken,
        expiryTime: istDateTime(expiresAt),
      },
    };
  }

  /** GET /v2/profile, with the `access-token` header as sent. */
  profile(accessToken: string | undefined): DhanReply {
    const session = accessToken === undefined ? undefined : this.sessions.get(accessToken);
    if (!session || session.ended || session.expiresAt <= this.now()) return DEAD_TOKEN();
    const validity = istDateTime(session.expiresAt);
    return {
      status: 200,
      body: {
        dhanClientId: session.clientId,
        // `DD/MM/YYYY HH:MM`, as the profile writes it.
        tokenValidity: `${validity.slice(8, 10)}/${validity.slice(5, 7)}/${validity.slice(0, 4)} ${validity.slice(11, 16)}`,
        activeSegment: 'Equity, Derivative, Currency, Commodity',
        ddpi: 'Deactive',
        mtf: 'Deactive',
        dataPlan: 'Deactive',
        dataValidity: '',
      },
    };
  }

  /** The token dies before its time: a logout, or a token made anew at web.dhan.co. */
  end(accessToken: string): void {
    const session = this.sessions.get(accessToken);
    if (session) session.ended = true;
  }

  /** An access token Dhan accepts for the account, as a login would give it. */
  issueToken(clientId: string): string {
    return this.mint(clientId).accessToken;
  }

  private mint(clientId: string): { accessToken: string; expiresAt: number } {
    const issuedAt = this.now();
    const expiresAt = issuedAt + DHAN_TOKEN_LIFETIME_MS;
    // Dhan's access tokens are JWTs; these claims are shaped like those seen in public code.
    const accessToken = this.jwt({ iss: 'dhan', partnerId: '', exp: Math.floor(expiresAt / 1000), tokenConsumerType: 'APP', dhanClientId: clientId });
    this.sessions.set(accessToken, { clientId, expiresAt, ended: false });
    return { accessToken, expiresAt };
  }

  private isApp(app: DhanAppHeaders): boolean {
    return app.appId === this.options.apiKey && app.appSecret !== undefined && sameText(app.appSecret, this.options.apiSecret);
  }

  private jwt(claims: Record<string, unknown>): string {
    const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS512' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha512', this.signingKey).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }
}

/** `YYYY-MM-DDTHH:MM:SS` in India, with no zone, as Dhan writes `expiryTime`. */
function istDateTime(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 19);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
