import { Inject, Injectable, Optional } from '@nestjs/common';
import { BrokerId } from '../brokers/broker-adapter';
import { sha256Hex } from '../crypto/digest';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';

/** Never provided: Pocketful's cookies are the ones DI makes. */
const LOGIN_COOKIE_BROKER = 'LOGIN_COOKIE_BROKER';

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** A cookie that carries its login's state: the state, then the secret, both 32 random bytes in base64url. */
const CARRIED_SHAPE = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
/** What a cookie's Path may hold without quoting or breaking the header. */
const COOKIE_PATH_SHAPE = /^\/[\x21-\x3a\x3c-\x7e]*$/;

/** What the browser at a callback holds of its logins, as its login cookies say. */
export interface CallbackBrowser {
  /** The secret its cookie holds for this state, if it sent one that could be ours. */
  secretOf(state: string): string | undefined;
  /** The state its cookie carries, for a broker that sends none back (Dhan); undefined when it sent none. */
  carriedState(): string | undefined;
}

/** How a broker's login cookies are kept: `carriesState` for a broker that sends no state back (Dhan). */
export interface LoginCookieOptions {
  carriesState?: boolean;
}

/**
 * The cookie that binds a login to the browser that began it: one per login, so that two tabs can log in at
 * once, named after its state so that the callback finds its own. It holds a random secret, not the state: the
 * state travels in URLs (Pocketful's logs, the browser's history), the secret only between this browser and the
 * vault, and the store keeps its hash.
 *
 * Host-only, HttpOnly, SameSite=Lax (sent on the top-level redirect back from Pocketful, not on cross-site
 * subrequests), scoped to the redirect URL's folder (`/pocketful`) so that it rides on the login routes only, and
 * Secure with a `__Secure-` name when the redirect URL is https. Not `__Host-`: that needs `Path=/` and https,
 * and the demo runs on plain http.
 *
 * For a broker that sends no state back (Dhan), the cookie carries the state too, beside the secret, under one name
 * per broker: the callback has nothing else to find its login by. The state then never travels in a URL, and a
 * browser has one such login under way at a time: a newer one replaces its cookie.
 */
@Injectable()
export class LoginCookies {
  private readonly attributes: string;
  private readonly prefix: string;
  private carriesState = false;

  /** Pocketful's cookies by DI; another broker's through `of`, scoped to its own redirect URL's folder and named for it. */
  constructor(broker: BrokerSettings, @Optional() @Inject(LOGIN_COOKIE_BROKER) name: BrokerId = 'pocketful') {
    const redirect = new URL(broker.redirectUrl);
    const secure = redirect.protocol === 'https:';
    const folder = redirect.pathname.slice(0, redirect.pathname.lastIndexOf('/')) || '/';
    const path = COOKIE_PATH_SHAPE.test(folder) ? folder : '/';
    this.attributes = `Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
    this.prefix = `${secure ? '__Secure-' : ''}${name}-login-`;
  }

  static of(redirectUrl: string, broker: BrokerId, options: LoginCookieOptions = {}): LoginCookies {
    const cookies = new LoginCookies({ redirectUrl } as BrokerSettings, broker);
    cookies.carriesState = options.carriesState === true;
    return cookies;
  }

  /** The Set-Cookie value that hands `secret` (and, when it carries it, `state`) to the browser for `lifetimeMs`. */
  issue(state: string, secret: string, lifetimeMs: number): string {
    const value = this.carriesState ? `${state}.${secret}` : secret;
    return `${this.nameOf(state)}=${value}; Max-Age=${Math.floor(lifetimeMs / 1000)}; ${this.attributes}`;
  }

  /** The Set-Cookie value that removes it once its login is over. */
  clear(state: string): string {
    return `${this.nameOf(state)}=; Max-Age=0; ${this.attributes}`;
  }

  /** The secret the browser sent for `state`, if it sent one that could be ours. */
  read(cookieHeader: string | undefined, state: string): string | undefined {
    if (this.carriesState) {
      const carried = this.carried(cookieHeader);
      return carried?.state === state ? carried.secret : undefined;
    }
    const value = this.valueOf(cookieHeader, this.nameOf(state));
    return value !== undefined && SECRET_SHAPE.test(value) ? value : undefined;
  }

  /** The browser at a callback, as its `Cookie` header shows it. */
  sentBy(cookieHeader: string | undefined): CallbackBrowser {
    return {
      secretOf: (state) => this.read(cookieHeader, state),
      carriedState: () => this.carried(cookieHeader)?.state,
    };
  }

  private carried(cookieHeader: string | undefined): { state: string; secret: string } | undefined {
    if (!this.carriesState) return undefined;
    const match = CARRIED_SHAPE.exec(this.valueOf(cookieHeader, this.nameOf('')) ?? '');
    return match ? { state: match[1], secret: match[2] } : undefined;
  }

  private valueOf(cookieHeader: string | undefined, name: string): string | undefined {
    if (!cookieHeader) return undefined;
    for (const pair of cookieHeader.split(';')) {
      const equals = pair.indexOf('=');
      if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
      // The first of a name is the one with the longest path (RFC 6265 §5.4): ours, unless another was planted.
      return pair.slice(equals + 1).trim();
    }
    return undefined;
  }

  /**
   * 64 bits of a hash of the state: unique among live logins, and telling nothing of the state. A cookie that
   * carries its state has one name for the broker: the callback knows no state to look it up by.
   */
  private nameOf(state: string): string {
    if (this.carriesState) return `${this.prefix}state`;
    return `${this.prefix}${sha256Hex(`login-cookie:${state}`).slice(0, 16)}`;
  }
}
