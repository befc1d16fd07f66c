import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ServiceClient } from './service-client';

/** Who the access guards let in: a service client by its key, or a person at the pages (named when ADMIN_AUTH names them). */
export type Caller = { kind: 'service'; client: ServiceClient } | { kind: 'operator'; name: string | null };

/** A request as the vault handles it: Fastify's, with the caller once a guard has found it. */
export interface VaultRequest extends FastifyRequest {
  caller?: Caller;
}

/** What the audit trail and the rate limit know a request by: its id, its caller's address, and who the caller is. */
export type RequestParty = Pick<VaultRequest, 'id' | 'ip' | 'caller'>;

/** The caller as the audit trail names it: the client's name, `browser` or `browser:<operator>`, or null. */
export function callerName(caller: Caller | undefined): string | null {
  if (caller?.kind === 'service') return caller.client.name;
  if (caller?.kind === 'operator') return caller.name ? `browser:${caller.name}` : 'browser';
  return null;
}

/** The service client that ServiceKeyGuard admitted to this request. */
export function serviceClientOf(request: VaultRequest): ServiceClient {
  const { caller } = request;
  if (caller?.kind !== 'service') throw new Error('a service client was asked of a route that ServiceKeyGuard does not guard');
  return caller.client;
}

/** The service client that ServiceKeyGuard admitted, as a handler parameter. */
export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext): ServiceClient =>
  serviceClientOf(context.switchToHttp().getRequest<VaultRequest>()),
);
