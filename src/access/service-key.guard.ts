import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../errors/vault-error';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { ServiceClientRegistry } from './service-client.registry';
import { VaultRequest } from './vault-request';

const ADMIN_ONLY = 'token-vault:admin-only';
/** The route is for clients marked `"admin": true` in the clients file. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** The scheme's name is case-insensitive (RFC 9110); the key is not. */
const BEARER = /^bearer ([\x21-\x7e]{1,512})$/i;

/** The key an Authorization header carries, or null for none or a malformed one. */
export function bearerKey(header: string | undefined): string | null {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match ? match[1] : null;
}

@Injectable()
export class ServiceKeyGuard implements CanActivate {
  private readonly adminOnlyByHandler = new WeakMap<object, boolean>();

  constructor(
    private readonly registry: ServiceClientRegistry,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
  ) {}

  /**
   * The key is checked first, in memory: a valid one is never slowed by the failures of others at its address, and
   * is let in without a promise (Nest awaits only what a guard does not answer at once).
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<VaultRequest>();
    const key = bearerKey(request.headers.authorization);
    const client = key === null ? null : this.registry.holderOf(key);
    if (!client) return this.refuse(request.ip);
    request.caller = { kind: 'service', client };
    if (this.adminOnly(context) && !client.admin) throw forbidden(`client ${client.name} is not an admin client`);
    return true;
  }

  private async refuse(address: string): Promise<never> {
    await this.failures.failed(address);
    throw unauthorized();
  }

  /** Route metadata does not change: read once per handler rather than on every request. */
  private adminOnly(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let adminOnly = this.adminOnlyByHandler.get(handler);
    if (adminOnly === undefined) {
      adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [handler, context.getClass()]) ?? false;
      this.adminOnlyByHandler.set(handler, adminOnly);
    }
    return adminOnly;
  }
}
