import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply } from 'fastify';
import { forbidden, unauthorized } from '../errors/vault-error';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { ServiceClientRegistry } from './service-client.registry';
import { VaultRequest } from './vault-request';

const ADMIN_ONLY = 'token-vault:admin-only';
/** The route is for clients marked `"admin": true` in the clients file. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

@Injectable()
export class ServiceKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ServiceClientRegistry,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<VaultRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    await this.failures.check(request.ip, (seconds) => reply.header('Retry-After', String(seconds)));
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    const client = match ? this.registry.authenticate(match[1]) : null;
    if (!client) {
      await this.failures.failed(request.ip);
      reply.header('WWW-Authenticate', 'Bearer realm="token-vault"');
      throw unauthorized();
    }
    request.caller = { kind: 'service', client };
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (adminOnly && !client.admin) throw forbidden(`client ${client.name} is not an admin client`);
    return true;
  }
}
