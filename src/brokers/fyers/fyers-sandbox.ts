import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { StandInApp } from '../broker-stand-in';

/**
 * The vault's app at its own stand-in of Fyers (SANDBOX=true), its App ID written as Fyers writes one (`…-100`), and
 * the users there, written as Fyers client ids are (XY01234).
 */
export const FYERS_SANDBOX_APP: StandInApp = { key: 'SANDBOXAPP-100', secret: 'sandbox-secret', accounts: ['XY01234', 'XZ05678'] };

export interface FyersSandboxOptions {
  /** The app's id as Fyers writes it, `XXXXXXXXXX-100`. */
  appId: string;
  appSecret: string;
  redirectUrl: string;
  /** The Fyers client ids that can log in. */
  accounts: readonly string[];
  now?: () => number;
  /**
   * How long an auth code can be exchanged. Fyers' own auth codes are JWTs whose `exp` is 30000 s after issue; the
   * sandbox keeps them for minutes, as a login uses its code at once and a test can then see one expire.
   */
  codeLifetimeMs?: number;
}

/** An answer as Fyers gives it: the HTTP status and its JSON body. */
export interface FyersReply {
  status: number;
  body: unknown;
}

interface IssuedCode {
  account: string;
  expiresAt: number;
  used: boolean;
}

interface IssuedToken {
  account: string;
  expiresAt: number;
  ended: boolean;
}

const DEFAULT_CODE_LIFETIME_MS = 5 * 60_000;
/** Every access token Fyers issues ends at the next 06:00 IST (see fyers.settings.ts). */
const TOKEN_CUTOFF = DailyCutoff.parse('06:00');
/** Fyers' refresh tokens last about 15 days. */
const REFRESH_LIFETIME_S = 15 * 24 * 3600;

/**
 * Fyers' errors: `{s:"error", code, message}`. The codes -371 and -374 and their messages are from Fyers' published
 * error list; -413 for a bad auth code is as the integration notes give it; -15 and -16 for a token are as recorded
 * from its API (HTTP 401); -50 as recorded for bad input (HTTP 400). The HTTP statuses of the exchange's refusals
 * are inferred: 400, as Fyers answers other bad input.
 */
const fyersError = (status: number, code: number, message: string): FyersReply => ({ status, body: { s: 'error', code, message } });

/**
 * Fyers' login and profile in-process, as its API v3 behaves by its docs and what its users recorded: the login page
 * checks the app and its redirect URL; auth codes are single-use and short-lived; validate-authcode takes the
 * SHA-256 of `app_id:app_secret` in place of the secret; tokens are JWTs ending at the next 06:00 IST; the profile
 * answers to `Authorization: app_id:access_token`; a logout ends a token. `now` is the broker's clock.
 */
export class FyersSandbox {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly signingKey = randomBytes(32);
  private readonly now: () => number;

  constructor(readonly options: FyersSandboxOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Why Fyers' login page would refuse this generate-authcode query, or null when it would show the login. */
  authorizeProblem(query: Readonly<Record<string, string | undefined>>): string | null {
    if (query.client_id !== this.options.appId) return 'unknown client_id';
    if (query.redirect_uri !== this.options.redirectUrl) return 'redirect_uri is not the one registered with the app';
    if (query.response_type !== 'code') return 'response_type must be code';
    if (!query.state) return 'state is missing';
    return null;
  }

  /**
   * Where the browser goes once the person has logged in as `account` (or, with null, cancelled). Fyers' way back on
   * success is documented; on a cancel it is not: `s=error` with a status code is inferred.
   */
  redirectAfterLogin(state: string, account: string | null): string {
    const target = new URL(this.options.redirectUrl);
    if (account === null) {
      target.searchParams.set('s', 'error');
      target.searchParams.set('code', '-1');
      target.searchParams.set('message', 'Login cancelled by the user');
    } else {
      target.searchParams.set('s', 'ok');
      target.searchParams.set('code', '200');
      target.searchParams.set('auth_code', this.issueCode(account));
    }
    target.searchParams.set('state', state);
    return target.toString();
  }

  /** An auth code for the account, as if it had just logged in. */
  issueCode(account: string): string {
    if (!this.options.accounts.includes(account)) throw new Error(`${account} is not an account of this Fyers sandbox`);
    const issuedAt = this.now();
    const expiresAt = issuedAt + (this.options.codeLifetimeMs ?? DEFAULT_CODE_LIFETIME_MS);
    const code = this.jwt({
      iss: 'api.login.fyers.in',
      sub: 'auth_code',
      app_id: this.options.appId.replace(/-\d+$/, ''),
      uuid: randomUUID().replace(/-/g, ''),
      iat: seconds(issuedAt),
      nbf: seconds(issuedAt),
      exp: seconds(expiresAt),
    });
    this.codes.set(code, { account, expiresAt, used: false });
    return code;
  }

  /** POST /api/v3/validate-authcode, its body as parsed JSON. */
  validateAuthCode(body: unknown): FyersReply {
    const request = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    if (!request || request.grant_type !== 'authorization_code') return fyersError(400, -50, 'Please provide valid inputs');
    if (typeof request.appIdHash !== 'string' || !sameText(request.appIdHash, this.appIdHash())) {
      return fyersError(400, -371, 'Please provide sha256 hash of appId and app secret');
    }
    if (typeof request.code !== 'string' || request.code === '') return fyersError(400, -374, 'Please provide authorization code.');
    const code = this.codes.get(request.code);
    if (!code || code.used || code.expiresAt <= this.now()) return fyersError(400, -413, 'Invalid auth code');
    code.used = true;
    return { status: 200, body: { s: 'ok', code: 200, message: '', access_token: this.issueToken(code.account), refresh_token: this.refreshToken(code.account) } };
  }

  /** GET /api/v3/profile, with the Authorization header as sent. */
  profile(authorization: string | undefined): FyersReply {
    const token = this.tokenOf(authorization);
    if (token === undefined) return fyersError(401, -15, 'Please provide valid token');
    if (token === null) return fyersError(401, -16, 'Could not authenticate the user');
    return {
      status: 200,
      body: {
        s: 'ok',
        code: 200,
        message: '',
        data: {
          fy_id: token.account,
          name: `SANDBOX CLIENT ${token.account}`,
          display_name: `SANDBOX ${token.account}`,
          email_id: 'sandbox@example.invalid',
          pan: 'SANDBOX000',
          mobile_number: '0000000000',
          image: null,
          totp: false,
          pwd_to_expire: 90,
          ddpi_enabled: false,
          mtf_enabled: false,
        },
      },
    };
  }

  /** POST /api/v3/logout: ends the token the header carries. */
  logout(authorization: string | undefined): FyersReply {
    const token = this.tokenOf(authorization);
    if (token === undefined) return fyersError(401, -15, 'Please provide valid token');
    if (token === null) return fyersError(401, -16, 'Could not authenticate the user');
    token.ended = true;
    return { status: 200, body: { s: 'ok', code: 200, message: 'you are successfully logged out' } };
  }

  /** The token ends, as when the person logs out of Fyers everywhere or logs in elsewhere. */
  end(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.ended = true;
  }

  /** An access token Fyers accepts for the account, as a login would give it. */
  issueToken(account: string): string {
    const issuedAt = this.now();
    const expiresAt = TOKEN_CUTOFF.nextAfter(new Date(issuedAt)).getTime();
    const token = this.jwt({
      iss: 'api.fyers.in',
      sub: 'access_token',
      iat: seconds(issuedAt),
      nbf: seconds(issuedAt),
      exp: seconds(expiresAt),
      at_hash: randomBytes(24).toString('base64url'),
      fy_id: account,
      appType: 100,
    });
    this.tokens.set(token, { account, expiresAt, ended: false });
    return token;
  }

  /** SHA-256 hex of `app_id:app_secret`: what validate-authcode takes in place of the secret. */
  private appIdHash(): string {
    return createHash('sha256').update(`${this.options.appId}:${this.options.appSecret}`).digest('hex');
  }

  /** undefined: no token of this app's form; null: a token Fyers does not (or no longer) accept. */
  private tokenOf(authorization: string | undefined): IssuedToken | null | undefined {
    const prefix = `${this.options.appId}:`;
    if (!authorization?.startsWith(prefix) || authorization.length === prefix.length) return undefined;
    const token = this.tokens.get(authorization.slice(prefix.length));
    if (!token || token.ended || token.expiresAt <= this.now()) return null;
    return token;
  }

  /** Fyers hands one out with every access token; using it needs the person's PIN, so nothing here takes it. */
  private refreshToken(account: string): string {
    const issuedAt = this.now();
    return this.jwt({ iss: 'api.fyers.in', sub: 'refresh_token', iat: seconds(issuedAt), exp: seconds(issuedAt) + REFRESH_LIFETIME_S, fy_id: account });
  }

  private jwt(claims: Record<string, unknown>): string {
    const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.signingKey).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
