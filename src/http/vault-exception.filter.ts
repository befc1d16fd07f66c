import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponse, toErrorResponse } from '../errors/error-response';
import { noteAnsweredError } from './answered-error';
import { RefusalRecorder } from './refusal-recorder';

/**
 * Every error, from a route or from Fastify's body parsing, leaves as `{error, message}`; pages answer with a page
 * instead (PageExceptionFilter). Either way the refusal recorder hears of it once, here.
 */
@Catch()
@Injectable()
export class VaultExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly refusals: RefusalRecorder) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(error);
    if (response.unexpected) this.logUnexpected(error, request, response);
    this.refusals.recordFailure(request, response.status, response.body.error);
    if (reply.sent) return;
    noteAnsweredError(request, response.body.error);
    reply.headers(response.headers);
    this.answer(reply, response, request);
  }

  protected answer(reply: FastifyReply, { status, body }: ErrorResponse, _request: FastifyRequest): void {
    reply.code(status).type('application/json; charset=utf-8').send(body);
  }

  /** The name and code only: a library error's message and properties can hold the request that failed. */
  private logUnexpected(error: unknown, request: FastifyRequest, { body }: ErrorResponse): void {
    const { name, code } = (error ?? {}) as { name?: string; code?: string };
    const detail = code && code !== body.error ? ` ${code}` : '';
    this.logger.error(`${request.method} ${request.routeOptions?.url ?? 'unrouted'} failed: ${body.error} (${name ?? 'error'}${detail})`);
  }
}
