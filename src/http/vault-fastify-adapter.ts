import { FastifyAdapter } from '@nestjs/platform-fastify';
import { fromFastifyError } from '../errors/error-response';

type ErrorHandler = Parameters<FastifyAdapter['setErrorHandler']>[0];

/**
 * Nest installs one Fastify error handler that maps Fastify's own refusals (body too large, broken JSON, wrong
 * content type) to anonymous HttpExceptions. Translating them first keeps their stable error codes while Nest's
 * handler, and so the global filter, stays the only one.
 */
export class VaultFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(handler: ErrorHandler) {
    const translating = function (this: unknown, error: unknown, request: unknown, reply: unknown) {
      return (handler as (...args: unknown[]) => unknown).call(this, fromFastifyError(error), request, reply);
    };
    return super.setErrorHandler(translating as ErrorHandler);
  }
}
