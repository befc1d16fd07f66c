import { randomBytes, timingSafeEqual } from 'node:crypto';
import { S256_CHALLENGE_SHAPE, s256Challenge, VERIFIER_SHAPE } from '../brokers/pkce';

export interface SandboxBrokerOptions {
  appId: string;
  appSecret: string;
  redirectUrl: string;
  accounts: readonly string[];
  /** What `expires_in` says; Pocketful says 86399 whatever the hour. */
  expiresInSeconds?: number;
  now?: () => number;
  /**
   * `verify` (the default): a code issued with a PKCE challenge is exchanged only with its verifier, as fosite does.
   * `ignore`: challenges and verifiers are dropped, as a broker without PKCE does.
   */
  pkce?: 'verify' | 'ignore';
}

export interface BrokerReply {
  status: number;
  body: unknown;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  /** The S256 challenge sent at authorize, if any. */
  challenge?: string;
  /** The token this code was exchanged for: a second exchange revokes it, as fosite does. */
  token?: string;
}

const CODE_LIFETIME_MS = 15 * 60_000;

/** Two 43-character base64url parts joined by a dot, as Pocketful's (fosite's) tokens and codes are. */
function opaque(): string {
  return `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

const oauthError = (status: number, error: string, description: string): BrokerReply => ({
  status,
  body: { error, error_description: description },
});

const apiError = (status: number, message: string, errorCode: number): BrokerReply => ({
  status,
  body: { status: 'error', message, error_code: errorCode, data: {} },
});

/**
 * A stand-in for Pocketful's login server and account API, with its documented and inferred behaviour: codes
 * live 15 minutes and are single-use, a reused code revokes its token, Basic credentials are form-encoded, a
 * code issued with a PKCE challenge needs its verifier, errors come in Pocketful's shapes. The vault serves it
 * under /sandbox for the demo; tests run it as a server.
 */
export class SandboxBroker {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, { clientId: string; revoked: boolean }>();
  private readonly now: () => number;
  exchanges = 0;
  tradingInfoCalls = 0;

  constructor(readonly options: SandboxBrokerOptions) {
    this.now = options.now ?? Date.now;
  }

  get accounts(): readonly string[] {
    return this.options.accounts;
  }

  /** Why an authorize request is not acceptable, or null when it is. */
  authorizeProblem(query: Record<string, unknown>): string | null {
    if (query.client_id !== this.options.appId) return 'unknown client_id';
    if (query.response_type !== 'code') return 'response_type must be code';
    if (query.redirect_uri !== this.options.redirectUrl) return 'redirect_uri does not match the registered redirect URL';
    if (typeof query.state !== 'string' || query.state.length < 8) return 'state must be at least 8 characters';
    return this.challengeProblem(query);
  }

  /** The S256 challenge an acceptable authorize request carries, to give issueCode; none when PKCE is ignored. */
  challengeOf(query: Record<string, unknown>): string | undefined {
    const challenge = query.code_challenge;
    if (this.options.pkce === 'ignore' || typeof challenge !== 'string') return undefined;
    return S256_CHALLENGE_SHAPE.test(challenge) ? challenge : undefined;
  }

  /**
   * A code for the account. Without a challenge the exchange ignores any verifier, as a broker without PKCE does
   * (a current fosite would refuse one; the vault never sends a verifier without its challenge). Tests that skip
   * the authorize step rely on it.
   */
  issueCode(clientId: string, challenge?: string): string {
    const code = opaque();
    this.codes.set(code, { clientId, redirectUri: this.options.redirectUrl, expiresAt: this.now() + CODE_LIFETIME_MS, challenge });
    return code;
  }

  /** Where the browser goes after the person approves (or, with no account, cancels) the login. */
  redirectAfterLogin(state: string, scope: string, clientId: string | null, challenge?: string): string {
    const target = new URL(this.options.redirectUrl);
    if (clientId === null) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The resource owner denied the request');
    } else {
      target.searchParams.set('code', this.issueCode(clientId, challenge));
      target.searchParams.set('scope', scope);
    }
    target.searchParams.set('state', state);
    return target.toString();
  }

  exchange(authorization: string | undefined, form: Record<string, unknown>): BrokerReply {
    this.exchanges += 1;
    if (!this.validClient(authorization)) {
      return oauthError(401, 'invalid_client', 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).');
    }
    if (form.grant_type !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported.');
    const code = typeof form.code === 'string' ? this.codes.get(form.code) : undefined;
    if (!code || code.expiresAt <= this.now()) {
      return oauthError(400, 'invalid_grant', 'The provided authorization grant is invalid, expired, revoked, or does not match the redirection URI.');
    }
    if (code.token) {
      const token = this.tokens.get(code.token);
      if (token) token.revoked = true;
      return oauthError(400, 'invalid_grant', 'The authorization code has already been used.');
    }
    if (form.redirect_uri !== code.redirectUri) {
      return oauthError(400, 'invalid_grant', 'The "redirect_uri" from this request does not match the one from the authorize request.');
    }
    if (code.challenge !== undefined && !this.verifierMatches(code.challenge, form.code_verifier)) {
      // fosite deletes the PKCE session before it compares: a failed verifier spends the code.
      this.codes.delete(form.code as string);
      return oauthError(400, 'invalid_grant', 'The PKCE code challenge did not match the code verifier.');
    }
    const accessToken = opaque();
    code.token = accessToken;
    this.tokens.set(accessToken, { clientId: code.clientId, revoked: false });
    return {
      status: 200,
      body: { access_token: accessToken, expires_in: this.options.expiresInSeconds ?? 86399, scope: 'orders holdings', token_type: 'bearer' },
    };
  }

  tradingInfo(authorization: string | undefined): BrokerReply {
    this.tradingInfoCalls += 1;
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const token = presented ? this.tokens.get(presented) : undefined;
    if (!token || token.revoked) return apiError(401, 'Request Unauthorised', 40000);
    return {
      status: 200,
      body: {
        data: {
          client_id: token.clientId,
          name: `SANDBOX CLIENT ${token.clientId}`,
          email_id: 'SANDBOX@EXAMPLE.INVALID',
          exchanges_subscribed: ['NSE', 'BSE', 'NFO'],
          products_enabled: ['NRML', 'MIS', 'CNC'],
          status: 'active',
        },
        message: '',
        status: 'success',
      },
    };
  }

  /** A token that the broker will accept, as if pressed out of its dashboard. */
  mintToken(clientId: string): string {
    const accessToken = opaque();
    this.tokens.set(accessToken, { clientId, revoked: false });
    return accessToken;
  }

  revoke(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.revoked = true;
  }

  /** fosite's defaults: S256 only (plain is refused), and no challenge is fine when PKCE is not enforced. */
  private challengeProblem(query: Record<string, unknown>): string | null {
    if (this.options.pkce === 'ignore' || query.code_challenge === undefined) return null;
    if (query.code_challenge_method !== 'S256') return 'code_challenge_method must be S256, plain is not allowed';
    const challenge = query.code_challenge;
    if (typeof challenge !== 'string' || !S256_CHALLENGE_SHAPE.test(challenge)) return 'code_challenge is not an S256 challenge';
    return null;
  }

  private verifierMatches(challenge: string, verifier: unknown): boolean {
    return typeof verifier === 'string' && VERIFIER_SHAPE.test(verifier) && sameText(s256Challenge(verifier), challenge);
  }

  private validClient(authorization: string | undefined): boolean {
    const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '')?.[1];
    if (!encoded) return false;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    return id === this.options.appId && sameText(secret, this.options.appSecret);
  }
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
