import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { digestsEqual, sha256Hex } from '../crypto/digest';
import { vaultError } from '../errors/vault-error';
import { HttpSettings } from '../http/http.config';
import { AccessSettings } from './access.config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { StoredPassword } from './operator-password';
import { OperatorPasswordChecks } from './operator-password-checks';
import { VerifiedOperators } from './verified-operators';
import { VaultRequest } from './vault-request';

const operatorRequired = (message: string, headers?: Record<string, string>) => vaultError('operator_unauthorized', message, headers);
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="token-vault", charset="UTF-8"' };

/**
 * Guards the browser routes (the home page, starting a login, its result) as ADMIN_AUTH says: open, an operator
 * password by HTTP Basic, or a header set by an SSO proxy in front of the vault, believed only on a connection from
 * one of the proxies TRUST_PROXY lists (from anyone else it is just a header anyone can write). Whoever gets through
 * is named in the audit trail.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    private readonly settings: AccessSettings,
    private readonly http: HttpSettings,
    private readonly failures: AuthFailureLimiter,
    private readonly verified: VerifiedOperators,
    private readonly passwords: OperatorPasswordChecks,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = this.settings.operatorAuth;
    const request = context.switchToHttp().getRequest<VaultRequest>();
    if (auth.kind === 'none') {
      request.caller = { kind: 'operator', name: null };
      return true;
    }
    if (auth.kind === 'header') {
      const fromProxy = this.http.trustedProxies.isProxy(request.socket.remoteAddress);
      const value = fromProxy ? request.headers[auth.header] : undefined;
      const name = typeof value === 'string' ? value.trim() : '';
      if (name === '' || (auth.allowed !== null && !auth.allowed.includes(name))) {
        throw operatorRequired('sign in through the single sign-on in front of the vault');
      }
      request.caller = { kind: 'operator', name: name.slice(0, 128) };
      return true;
    }

    const header = request.headers.authorization ?? '';
    const seen = hash('sha256', header);
    if (!this.verified.has(seen)) {
      // Counted before the slow hash, so that guesses sent at once cannot all be checked before one is counted.
      const attempt = await this.failures.reserve(request.ip);
      let matched: boolean;
      try {
        matched = await this.matches(auth, header, request.ip);
      } catch (error) {
        await attempt.giveBack();
        throw error;
      }
      if (!matched) {
        await attempt.failed();
        throw operatorRequired('the operator user name and password are needed to use the login pages', BASIC_CHALLENGE);
      }
      await attempt.giveBack();
      this.verified.add(seen);
    }
    request.caller = { kind: 'operator', name: auth.user };
    return true;
  }

  private async matches(auth: { user: string; password: StoredPassword }, header: string, address: string): Promise<boolean> {
    const credentials = basicCredentials(header);
    if (credentials === null) return false;
    const userMatches = digestsEqual(sha256Hex(credentials.user), sha256Hex(auth.user));
    // The password is checked even for a wrong user, so the time taken does not tell which was wrong.
    const passwordMatched = await this.passwords.matches(auth.password, credentials.password, address);
    return userMatches && passwordMatched;
  }
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const encoded = /^basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
