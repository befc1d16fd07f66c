import { Inject, Injectable, Optional } from '@nestjs/common';
import { BrokerId } from '../brokers/broker-adapter';
import { sha256Hex } from '../crypto/digest';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';

/** Never provided: Pocketful's cookies are the ones DI makes. */
const LOGIN_COOKIE_BROKER = 'LOGIN_COOKIE_BROKER';

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** What a cookie's Path may hold without quoting or breaking the header. */
const COOKIE_PATH_SHAPE = /^\/[\x21-\x3a\x3c-\x7e]*$/;

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
 */
@Injectable()
export class LoginCookies {
  private readonly attributes: string;
  private readonly prefix: string;

  /** Pocketful's cookies by DI; another broker's through `of`, scoped to its own redirect URL's folder and named for it. */
  constructor(broker: BrokerSettings, @Optional() @Inject(LOGIN_COOKIE_BROKER) name: BrokerId = 'pocketful') {
    const redirect = new URL(broker.redirectUrl);
    const secure = redirect.protocol === 'https:';
    const folder = redirect.pathname.slice(0, redirect.pathname.lastIndexOf('/')) || '/';
    const path = COOKIE_PATH_SHAPE.test(folder) ? folder : '/';
    this.attributes = `Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
    this.prefix = `${secure ? '__Secure-' : ''}${name}-login-`;
  }

  static of(redirectUrl: string, broker: BrokerId): LoginCookies {
    return new LoginCookies({ redirectUrl } as BrokerSettings, broker);
  }

  /** The Set-Cookie value that hands `secret` to the browser for `lifetimeMs`. */
  issue(state: string, secret: string, lifetimeMs: number): string {
    return `${this.nameOf(state)}=${secret}; Max-Age=${Math.floor(lifetimeMs / 1000)}; ${this.attributes}`;
  }

  /** The Set-Cookie value that removes it once its login is over. */
  clear(state: string): string {
    return `${this.nameOf(state)}=; Max-Age=0; ${this.attributes}`;
  }

  /** The secret the browser sent for `state`, if it sent one that could be ours. */
  read(cookieHeader: string | undefined, state: string): string | undefined {
    if (!cookieHeader) return undefined;
    const name = this.nameOf(state);
    for (const pair of cookieHeader.split(';')) {
      const equals = pair.indexOf('=');
      if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
      const value = pair.slice(equals + 1).trim();
      // The first of a name is the one with the longest path (RFC 6265 §5.4): ours, unless another was planted.
      return SECRET_SHAPE.test(value) ? value : undefined;
    }
    return undefined;
  }

  /** 64 bits of a hash of the state: unique among live logins, and telling nothing of the state. */
  private nameOf(state: string): string {
    return `${this.prefix}${sha256Hex(`login-cookie:${state}`).slice(0, 16)}`;
  }
}
