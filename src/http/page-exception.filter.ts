import { Catch, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponse } from '../errors/error-response';
import { failurePage, loginPathOfRoute } from './pages/failure-page';
import { PAGE_HEADERS } from './security-headers';
import { VaultExceptionFilter } from './vault-exception.filter';

/**
 * For the controllers a person's browser visits: whatever goes wrong, the answer is a page, never JSON. Its "Log in
 * again" goes to the broker whose route failed, read from the route itself, so that a refusal by a guard, before any
 * handler knew the broker, links there too.
 */
@Catch()
@Injectable()
export class PageExceptionFilter extends VaultExceptionFilter {
  protected override answer(reply: FastifyReply, { status, body }: ErrorResponse, request: FastifyRequest): void {
    // not_found at a login: that broker is off here, and trying its login again would only answer the same.
    const loginPath = body.error === 'not_found' ? null : loginPathOfRoute(request.routeOptions?.url);
    const page = failurePage(body.error, body.message, loginPath);
    reply.headers(PAGE_HEADERS).code(status).type('text/html; charset=utf-8').send(page);
  }
}
