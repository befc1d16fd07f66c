import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { failurePage } from '../login/pages/login-pages';
import { AuditTrail } from '../audit/audit-trail';
import { isClientId, normalizeClientId } from '../tokens/client-id';
import { isBrowserRoute } from './browser-routes';
import { toErrorResponse } from './error-response';


/** Every error, from a route or from Fastify's body parsing, leaves as `{error, message}`, or as a page for a browser. */
@Catch()
export class VaultExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly audit: AuditTrail) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { status, body } = toErrorResponse(error);
    if (REFUSALS.has(status)) void this.audit.record(request, 'refused', body.error, accountOf(request));
    respond(error, request, http.getResponse<FastifyReply>(), this.logger);
  }
}

/** Who was turned away is part of the audit trail: unauthenticated, forbidden, rate-limited. */
const REFUSALS = new Set([401, 403, 429]);

function accountOf(request: FastifyRequest): string | null {
  const raw = (request.params as { clientId?: unknown } | undefined)?.clientId;
  if (typeof raw !== 'string') return null;
  const normalized = normalizeClientId(raw);
  return isClientId(normalized) ? normalized : null;
}

export function respond(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) {
    // The name and code only: a library error's message and properties can hold the request that failed.
    const { name, code } = (error ?? {}) as { name?: string; code?: string };
    logger.error(`${request.method} ${request.routeOptions?.url ?? 'unrouted'} failed: ${body.error} (${name ?? 'error'}${code ? ` ${code}` : ''})`);
  }
  if (reply.sent) return;
  if (isBrowserRoute(request.url)) {
    reply.code(status).type('text/html; charset=utf-8').send(failurePage(body.error, body.message));
    return;
  }
  reply.code(status).type('application/json; charset=utf-8').send(body);
}
