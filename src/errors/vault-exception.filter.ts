import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { failurePage } from '../login/pages/login-pages';
import { toErrorResponse } from './error-response';

const BROWSER_ROUTES = /^\/pocketful\//;

/** Every error, from a route or from Fastify's body parsing, leaves as `{error, message}`, or as a page for a browser. */
@Catch()
export class VaultExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    respond(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function respond(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) {
    // The name and code only: a library error's message and properties can hold the request that failed.
    const { name, code } = (error ?? {}) as { name?: string; code?: string };
    logger.error(`${request.method} ${request.routeOptions?.url ?? 'unrouted'} failed: ${body.error} (${name ?? 'error'}${code ? ` ${code}` : ''})`);
  }
  if (reply.sent) return;
  if (BROWSER_ROUTES.test(request.url)) {
    reply.code(status).type('text/html; charset=utf-8').send(failurePage(body.error, body.message));
    return;
  }
  reply.code(status).type('application/json; charset=utf-8').send(body);
}
