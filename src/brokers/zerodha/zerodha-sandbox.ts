import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DailyCutoff } from '../../clock/daily-cutoff';
import { IST_OFFSET_MS } from '../../clock/ist-time';
import { StandInApp } from '../broker-stand-in';

/** The vault's app at its own stand-in of Kite (SANDBOX=true), and the users there: Kite's ids, two letters and four digits. */
export const ZERODHA_SANDBOX_APP: StandInApp = { key: 'sandbox-app', secret: 'sandbox-secret', accounts: ['AB1234', 'CD5678'] };

export interface ZerodhaSandboxOptions {
  apiKey: string;
  apiSecret: string;
  /** The redirect URL registered with the app: Kite sends every login back there. */
  redirectUrl: string;
  accounts: readonly string[];
  now?: () => number;
}

export interface KiteReply {
  status: number;
  body: unknown;
}

/** Kite documents "a few minutes"; five is inferred. */
const REQUEST_TOKEN_LIFETIME_MS = 5 * 60_000;
const CUTOFF = DailyCutoff.parse('06:00');
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 32 letters and digits, the shape of Kite's request and access tokens. */
function kiteToken(): string {
  return [...randomBytes(32)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

/** Kite's error shape: `{status:"error", message, data, error_type}`. */
const kiteError = (status: number, errorType: string, message: string): KiteReply => ({
  status,
  body: { status: 'error', message, data: null, error_type: errorType },
});

const DEAD_SESSION = (): KiteReply => kiteError(403, 'TokenException', 'Incorrect `api_key` or `access_token`.');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `YYYY-MM-DD HH:MM:SS` in India, as Kite writes `login_time`. */
function istDateTime(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

interface RequestToken {
  account: string;
  expiresAt: number;
  used: boolean;
}

interface Session {
  account: string;
  expiresAt: number;
  ended: boolean;
}

/**
 * A stand-in for Kite Connect v3's login and session API, as its docs describe them: the login page checks the
 * api_key and sends the browser to the registered redirect URL with `redirect_params` appended as is; a request
 * token is single-use and lives a few minutes; the exchange checks the checksum; an access token dies at 06:00 in
 * India or when the user logs out; errors come in Kite's shape (403 TokenException for a bad token of either kind).
 */
export class ZerodhaSandbox {
  private readonly requestTokens = new Map<string, RequestToken>();
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  exchanges = 0;
  profileCalls = 0;

  constructor(readonly options: ZerodhaSandboxOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Why Kite's login page would not take this request, or null when it would. */
  loginProblem(query: Record<string, unknown>): string | null {
    if (query.api_key !== this.options.apiKey) return 'Invalid `api_key`.';
    if (query.v !== '3') return 'Kite Connect v3 needs v=3.';
    return null;
  }

  /**
   * Where the browser goes once the person has logged in as `account` (null: cancelled) at the login page asked for
   * with `query`. Kite documents only the success; the cancelled redirect's `status` is inferred.
   */
  redirectAfterLogin(query: Record<string, unknown>, account: string | null): string {
    const problem = this.loginProblem(query);
    if (problem) throw new Error(`Kite's login page refused the request: ${problem}`);
    if (account !== null && !this.options.accounts.includes(account)) throw new Error(`Kite has no user ${account}`);
    const target = new URL(this.options.redirectUrl);
    if (typeof query.redirect_params === 'string') {
      for (const [name, value] of new URLSearchParams(query.redirect_params)) target.searchParams.append(name, value);
    }
    if (account !== null) target.searchParams.set('request_token', this.issueRequestToken(account));
    target.searchParams.set('action', 'login');
    target.searchParams.set('type', 'login');
    target.searchParams.set('status', account === null ? 'cancelled' : 'success');
    return target.toString();
  }

  issueRequestToken(account: string): string {
    const token = kiteToken();
    this.requestTokens.set(token, { account, expiresAt: this.now() + REQUEST_TOKEN_LIFETIME_MS, used: false });
    return token;
  }

  /** POST /session/token. */
  exchange(form: Record<string, unknown>): KiteReply {
    this.exchanges += 1;
    for (const field of ['api_key', 'request_token', 'checksum']) {
      if (typeof form[field] !== 'string' || form[field] === '') return kiteError(400, 'InputException', `Missing \`${field}\`.`);
    }
    const { api_key: apiKey, request_token: requestToken, checksum } = form as Record<string, string>;
    // Which error an unknown api_key gets is inferred.
    if (apiKey !== this.options.apiKey) return kiteError(403, 'TokenException', 'Invalid `api_key`.');
    const expected = createHash('sha256').update(apiKey + requestToken + this.options.apiSecret).digest('hex');
    if (!sameText(checksum, expected)) return kiteError(403, 'TokenException', 'Invalid `checksum`.');
    const issued = this.requestTokens.get(requestToken);
    if (!issued || issued.used || issued.expiresAt <= this.now()) {
      return kiteError(403, 'TokenException', 'Token is invalid or has expired.');
    }
    issued.used = true;
    const accessToken = kiteToken();
    const now = this.now();
    this.sessions.set(accessToken, { account: issued.account, expiresAt: CUTOFF.nextAfter(new Date(now)).getTime(), ended: false });
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          ...this.profileOf(issued.account),
          api_key: apiKey,
          access_token: accessToken,
          public_token: kiteToken(),
          refresh_token: '',
          enctoken: kiteToken(),
          login_time: istDateTime(now),
        },
      },
    };
  }

  /** GET /user/profile, with `Authorization: token api_key:access_token`. */
  profile(authorization: string | undefined): KiteReply {
    this.profileCalls += 1;
    const session = this.sessionOf(authorization);
    if (!session) return DEAD_SESSION();
    return { status: 200, body: { status: 'success', data: this.profileOf(session.account) } };
  }

  /** DELETE /session/token: the user logs out, and the token dies. */
  logout(form: Record<string, unknown>): KiteReply {
    if (form.api_key !== this.options.apiKey || typeof form.access_token !== 'string') return DEAD_SESSION();
    this.end(form.access_token);
    return { status: 200, body: { status: 'success', data: true } };
  }

  /** The token dies before its time: a logout everywhere from Kite's web app. */
  end(accessToken: string): void {
    const session = this.sessions.get(accessToken);
    if (session) session.ended = true;
  }

  private sessionOf(authorization: string | undefined): Session | undefined {
    const match = /^token ([^:]+):(.+)$/.exec(authorization ?? '');
    if (!match || match[1] !== this.options.apiKey) return undefined;
    const session = this.sessions.get(match[2]);
    return session && !session.ended && session.expiresAt > this.now() ? session : undefined;
  }

  private profileOf(account: string): Record<string, unknown> {
    return {
      user_id: account,
      user_name: `Sandbox Client ${account}`,
      user_shortname: 'Sandbox',
      email: 'sandbox@example.invalid',
      user_type: 'individual',
      broker: 'ZERODHA',
      exchanges: ['NSE', 'BSE', 'NFO'],
      products: ['CNC', 'NRML', 'MIS'],
      order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
      avatar_url: null,
      meta: { demat_consent: 'consent' },
    };
  }
}
