import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { digestsEqual, sha256Hex } from '../crypto/digest';
import { VaultError } from '../errors/vault-error';
import { AccessSettings } from './access.config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { VaultRequest } from './vault-request';

const operatorRequired = (message: string, headers: Record<string, string> = {}) => new VaultError('operator_unauthorized', message, 401, headers);
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="token-vault", charset="UTF-8"' };

/**
 * Guards the browser routes (the home page, starting a login, its result) as ADMIN_AUTH says: open, an operator
 * password by HTTP Basic, or a header set by an SSO proxy in front of the vault. Whoever gets through is named
 * in the audit trail.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    private readonly settings: AccessSettings,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = this.settings.operatorAuth;
    const request = context.switchToHttp().getRequest<VaultRequest>();
    if (auth.kind === 'none') {
      request.caller = { kind: 'operator', name: null };
      return true;
    }
    if (auth.kind === 'header') {
      const value = request.headers[auth.header];
      const name = typeof value === 'string' ? value.trim() : '';
      if (name === '' || (auth.allowed !== null && !auth.allowed.includes(name))) {
        throw operatorRequired('sign in through the single sign-on in front of the vault');
      }
      request.caller = { kind: 'operator', name: name.slice(0, 128) };
      return true;
    }

    const credentials = basicCredentials(request.headers.authorization);
    const userMatches = credentials !== null && digestsEqual(sha256Hex(credentials.user), sha256Hex(auth.user));
    const passwordMatches = credentials !== null && digestsEqual(sha256Hex(credentials.password), auth.passwordSha256);
    if (!userMatches || !passwordMatches) {
      await this.failures.failed(request.ip);
      throw operatorRequired('the operator user name and password are needed to use the login pages', BASIC_CHALLENGE);
    }
    request.caller = { kind: 'operator', name: auth.user };
    return true;
  }
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const encoded = /^basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
