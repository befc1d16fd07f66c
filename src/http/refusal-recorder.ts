import type { FastifyRequest } from 'fastify';
import type { ErrorCode } from '../errors/error-catalogue';

/**
 * Told of every request that ends in an error, by the exception filters: the audit trail records refusals and
 * failures through it. A port, so that the HTTP edge does not depend on the audit feature; AuditModule binds it.
 */
export abstract class RefusalRecorder {
  abstract recordFailure(request: FastifyRequest, status: number, code: ErrorCode): void;
}
