import { DailyCutoff } from '../clock/daily-cutoff';
import { jwtExpiry } from './jwt-expiry';

/** The brokers the vault can log in to. */
export type BrokerId = 'pocketful' | 'zerodha' | 'upstox' | 'fyers' | 'dhan';

/** Where the person's browser goes to log in, and what to keep with the login's `state` until the callback. */
export interface LoginStart {
  url: string;
  /** A PKCE verifier, for a broker that takes a challenge: sent with the exchange, never to the browser. */
  verifier?: string;
}

/**
 * What the broker's redirect back to the vault carried, read by the broker's own names. Its `state`, where the broker
 * sends one back, is not here: the login service reads and checks it from the query itself (login.service.ts).
 */
export type CallbackOutcome =
  | { kind: 'code'; code: string }
  /** The broker says the login did not happen (cancelled, refused); `reason` is safe to show, never a secret. */
  | {
      kind: 'refused';
      reason: string;
      /** The broker's own code for it, shape-checked (OAuth2's `access_denied`: the person cancelled), when it gives one. */
      error?: string;
    };

/** A code exchanged: the token, and what the broker's answer says of it. */
export interface BrokerGrant {
  accessToken: string;
  tokenType: string;
  scope: string;
  /** The account the answer names, when it names one (Kite's and Upstox's do); the whoami call has the last word. */
  account?: string;
  /** The latest the answer lets the token live, from its lifetime (`expires_in`) or the token's own JWT `exp`. */
  notAfter?: Date;
}

/** Whose token it is, by the broker's whoami call. */
export interface BrokerAccount {
  account: string;
}

/**
 * One broker's daily login, as the vault runs it: the authorize redirect, the callback's names, the code exchange,
 * the whoami call, and when its tokens die. Calls are never retried: a code is single-use, and some brokers revoke
 * the token of a code used twice. Every failure is a BrokerError (brokers/broker-error.ts) that holds no secret:
 * `unauthorized` from whoami means the broker refused the token itself (it is dead); `timeout`, `unavailable` and
 * `malformed` say nothing of the token.
 */
export abstract class BrokerAdapter {
  abstract readonly id: BrokerId;
  /** As people write it: "Zerodha". */
  abstract readonly displayName: string;
  /**
   * The time of day, in India, at which the broker ends every token issued before it; null for a broker that ends
   * its tokens a span after their issue instead (Dhan's 24 h, `lifetimeMs`).
   */
  abstract readonly cutoff: DailyCutoff | null;
  /** The longest the broker lets a token live after its issue, for a broker that says so (Dhan: 24 h); null for none. */
  readonly lifetimeMs: number | null = null;
  /**
   * Whether the broker sends the login's `state` back to the callback (OAuth2's, Kite's redirect_params). When it
   * does not (Dhan), the login cookie carries the state, and the callback takes it from there and never from its query.
   */
  readonly returnsState: boolean = true;
  /** The scheme the broker's Authorization header names its tokens by, as a grant of it says. */
  readonly tokenType: string = 'bearer';

  /**
   * The broker's login page for this login; `state` comes back in the callback, by whatever means the broker has.
   * Async only for a broker that must be asked first (Dhan's consent).
   */
  abstract loginStart(state: string): LoginStart | Promise<LoginStart>;

  /** Reads the callback's query string as the broker writes it. */
  abstract readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome;

  /** Exchanges a code, once; `start` is what loginStart gave for the same login. */
  abstract exchange(code: string, start: Pick<LoginStart, 'verifier'>): Promise<BrokerGrant>;

  /** The account the token belongs to; a BrokerError `unauthorized` when the broker refuses the token. */
  abstract whoami(accessToken: string): Promise<BrokerAccount>;

  /**
   * A token handed in by hand (POST /v1/tokens), not from an exchange: nothing is known of it but what it says of
   * itself, a JWT's `exp`. Whose it is, whoami says.
   */
  pasted(accessToken: string): BrokerGrant {
    return { accessToken, tokenType: this.tokenType, scope: '', notAfter: jwtExpiry(accessToken) };
  }

  /**
   * The earliest of the broker's next cut-off after issue, its lifetime after issue and anything the grant says of
   * the token's life.
   */
  expiresAt(grant: Pick<BrokerGrant, 'notAfter'>, issuedAt: Date): Date {
    const latest = this.latestEnd(issuedAt);
    return grant.notAfter !== undefined && grant.notAfter < latest ? grant.notAfter : latest;
  }

  /** The latest the broker lets a token issued at `issuedAt` live: its next cut-off, or its lifetime, whichever comes first. */
  latestEnd(issuedAt: Date): Date {
    const ends = [this.cutoff?.nextAfter(issuedAt), this.lifetimeMs === null ? undefined : new Date(issuedAt.getTime() + this.lifetimeMs)];
    const known = ends.filter((end): end is Date => end !== undefined);
    // A broker without either would keep its tokens for ever: that is a mistake in its adapter, not a setting.
    if (known.length === 0) throw new Error(`${this.displayName}'s adapter sets neither a daily cut-off nor a lifetime`);
    return known.reduce((earliest, end) => (end < earliest ? end : earliest));
  }
}
