import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { StandInApp } from '../broker-stand-in';
import { UPSTOX_CUTOFF } from './upstox.settings';

/** The vault's app at its own stand-in of Upstox (SANDBOX=true), and the users there, written as Upstox's user ids are (7BAB12). */
export const UPSTOX_SANDBOX_APP: StandInApp = { key: 'sandbox-app', secret: 'sandbox-secret', accounts: ['7BAB12', '4CDE56'] };

export interface UpstoxSandboxOptions {
  /** The app's API key (`client_id`) and secret (`client_secret`), and its registered redirect URL. */
  apiKey: string;
  apiSecret: string;
  redirectUrl: string;
  /** The user ids (UCCs) that can log in. */
  accounts: readonly string[];
  now: () => number;
  cutoff?: DailyCutoff;
  /** Also hand out a read-only extended token, as Upstox does for some apps; null otherwise, as for most. */
  extendedTokens?: boolean;
  /** Tokens end this long after issue when that comes before the cut-off, as one revoked early would. */
  tokenLifetimeMs?: number;
}

export interface UpstoxReply {
  status: number;
  body: unknown;
}

interface IssuedCode {
  account: string;
  expiresAt: number;
}

interface IssuedToken {
  account: string;
  kind: 'access' | 'extended';
  expiresAt: number;
  revoked: boolean;
}

/** Not documented; reports put it at a minute or two. Inferred. */
const CODE_LIFETIME_MS = 5 * 60_000;
/** "About a year" (BROKERS.md); only its being far past the cut-off matters here. */
const EXTENDED_LIFETIME_MS = 365 * 24 * 60 * 60_000;
const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Upstox's error shape: each error under both its camelCase and snake_case names. */
export function upstoxError(status: number, errorCode: string, message: string): UpstoxReply {
  const error = { errorCode, message, propertyPath: null, invalidValue: null, error_code: errorCode, property_path: null, invalid_value: null };
  return { status, body: { status: 'error', errors: [error] } };
}

/**
 * The documented codes; the HTTP statuses of exchange errors are not documented (Upstox says "4XX") and are
 * inferred as 400, as are UDAPI100069's use for a wrong secret or redirect URI and UDAPI100036's for a wrong grant.
 */
const AUTHORIZE_MISMATCH = () => upstoxError(400, 'UDAPI100068', "Check your 'client_id' and 'redirect_uri'; one or both are incorrect.");
const INVALID_CLIENT = () => upstoxError(400, 'UDAPI100069', "Check your 'client_id', 'client_secret' and 'redirect_uri'; one or more are incorrect.");
const INVALID_INPUT = () => upstoxError(400, 'UDAPI100036', 'Invalid Input');
const INVALID_CODE = () => upstoxError(400, 'UDAPI100057', 'Invalid Auth code');
const INVALID_TOKEN = () => upstoxError(401, 'UDAPI100050', 'Invalid token used to access API');

/**
 * A stand-in for Upstox's API v2 login, from its documentation: the login page checks the client id and redirect
 * URL; a code is 6 characters, short-lived and spent by the first exchange that names it whatever the outcome; the
 * exchange checks the form's secret and redirect URL; access tokens are JWTs that end at 03:30 IST; the profile
 * call names the token's user; a logout ends the token. Errors come in Upstox's shape and codes.
 */
export class UpstoxSandbox {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, IssuedToken>();
  /** Gives the sandbox's tokens a real JWT's shape; it knows its tokens by their whole text, as issued. */
  private readonly signingKey = randomBytes(32);
  private readonly cutoff: DailyCutoff;

  constructor(readonly options: UpstoxSandboxOptions) {
    this.cutoff = options.cutoff ?? DailyCutoff.parse(UPSTOX_CUTOFF);
  }

  /** What Upstox answers instead of its login page, or null when the request is one it accepts. */
  authorizeProblem(query: Readonly<Record<string, string | undefined>>): UpstoxReply | null {
    if (query.client_id !== this.options.apiKey || query.redirect_uri !== this.options.redirectUrl) return AUTHORIZE_MISMATCH();
    if (query.response_type !== 'code') return INVALID_INPUT();
    return null;
  }

  /**
   * Where the browser goes back to after the person logs in as `account`, or cancels (null): `?code=…&state=…`,
   * or (inferred, undocumented) OAuth2's `?error=access_denied&error_description=…&state=…`. State only if sent.
   */
  redirectAfterLogin(state: string | undefined, account: string | null): string {
    const target = new URL(this.options.redirectUrl);
    if (account === null) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user cancelled the login');
    } else {
      target.searchParams.set('code', this.issueCode(account));
    }
    if (state !== undefined) target.searchParams.set('state', state);
    return target.toString();
  }

  issueCode(account: string): string {
    if (!this.options.accounts.includes(account)) throw new Error(`${account} has no Upstox login here`);
    let code: string;
    do code = randomCode(); while (this.codes.has(code));
    this.codes.set(code, { account, expiresAt: this.options.now() + CODE_LIFETIME_MS });
    return code;
  }

  exchange(contentType: string | undefined, form: Readonly<Record<string, string | undefined>>): UpstoxReply {
    const code = form.code === undefined ? undefined : this.codes.get(form.code);
    // Spent by this call whatever follows (Get Token: "valid for a single use, regardless of whether the access
    // token generation succeeds or encounters an issue").
    if (form.code !== undefined) this.codes.delete(form.code);
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) return INVALID_INPUT();
    if (form.client_id !== this.options.apiKey || !sameText(form.client_secret ?? '', this.options.apiSecret)) return INVALID_CLIENT();
    if (form.redirect_uri !== this.options.redirectUrl) return INVALID_CLIENT();
    if (form.grant_type !== 'authorization_code') return INVALID_INPUT();
    if (!code || code.expiresAt <= this.options.now()) return INVALID_CODE();
    const accessToken = this.mintToken(code.account);
    const extendedToken = this.options.extendedTokens ? this.mint(code.account, 'extended') : null;
    return {
      status: 200,
      body: {
        email: `${code.account.toLowerCase()}@example.invalid`,
        exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
        products: ['D', 'CO', 'I'],
        broker: 'UPSTOX',
        user_id: code.account,
        user_name: `SANDBOX USER ${code.account}`,
        order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
        user_type: 'individual',
        poa: false,
        is_active: true,
        access_token: accessToken,
        extended_token: extendedToken,
      },
    };
  }

  /** GET /v2/user/profile. An extended token reads it too: the profile is a read-only call. */
  profile(authorization: string | undefined): UpstoxReply {
    const token = this.liveToken(authorization);
    if (!token) return INVALID_TOKEN();
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          email: `${token.account.toLowerCase()}@example.invalid`,
          exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
          products: ['D', 'CO', 'I'],
          broker: 'UPSTOX',
          user_id: token.account,
          user_name: `SANDBOX USER ${token.account}`,
          order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
          user_type: 'individual',
          poa: false,
          ddpi: false,
          is_active: true,
        },
      },
    };
  }

  /** DELETE /v2/logout: ends the token it is called with. */
  logout(authorization: string | undefined): UpstoxReply {
    const token = this.liveToken(authorization);
    if (!token) return INVALID_TOKEN();
    token.revoked = true;
    return { status: 200, body: { status: 'success', data: true } };
  }

  /** An access token the sandbox accepts, as if from a login. */
  mintToken(account: string): string {
    return this.mint(account, 'access');
  }

  /** The broker ends the token (a logout everywhere, a login elsewhere). */
  revoke(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.revoked = true;
  }

  private mint(account: string, kind: IssuedToken['kind']): string {
    const issuedAt = this.options.now();
    const atCutoff = this.cutoff.nextAfter(new Date(issuedAt)).getTime();
    const lifetime = this.options.tokenLifetimeMs;
    const expiresAt =
      kind === 'extended' ? issuedAt + EXTENDED_LIFETIME_MS : lifetime === undefined ? atCutoff : Math.min(atCutoff, issuedAt + lifetime);
    // The claims of a real Upstox token, as they are seen decoded; their names beyond sub, iat and exp are inferred.
    const claims = {
      sub: account,
      jti: randomUUID(),
      isMultiClient: false,
      isExtended: kind === 'extended',
      iat: Math.floor(issuedAt / 1000),
      iss: 'udapi-gateway-service',
      exp: Math.floor(expiresAt / 1000),
    };
    const token = this.sign(claims);
    this.tokens.set(token, { account, kind, expiresAt, revoked: false });
    return token;
  }

  /** HS256 by hand: the sandbox only needs a JWT's shape and its own check of it, not a JOSE library. */
  private sign(claims: object): string {
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.signingKey).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }

  private liveToken(authorization: string | undefined): IssuedToken | undefined {
    const presented = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const token = presented === undefined ? undefined : this.tokens.get(presented);
    if (!token || token.revoked || token.expiresAt <= this.options.now()) return undefined;
    return token;
  }
}

function randomCode(): string {
  return [...randomBytes(6)].map((byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
