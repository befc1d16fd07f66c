import type { FastifyRequest } from 'fastify';
import type { ErrorCode } from '../errors/error-catalogue';

const ANSWERED_ERROR = Symbol('answeredError');

type Noted = FastifyRequest & { [ANSWERED_ERROR]?: ErrorCode };

/**
 * The stable code of the error a request was answered with, noted by the exception filters: hooks that run once the
 * answer is sent (the metrics) see only its status, and a 503 can be a missing audit trail or a missing store.
 */
export function noteAnsweredError(request: FastifyRequest, code: ErrorCode): void {
  (request as Noted)[ANSWERED_ERROR] = code;
}

/** The code noted for this request, if it was answered with an error through the filters. */
export function answeredErrorOf(request: FastifyRequest): ErrorCode | undefined {
  return (request as Noted)[ANSWERED_ERROR];
}
