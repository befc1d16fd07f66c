import { Catch, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorResponse } from '../errors/error-response';
import { failurePage } from './pages/failure-page';
import { PAGE_HEADERS } from './security-headers';
import { VaultExceptionFilter } from './vault-exception.filter';

/** For the controllers a person's browser visits: whatever goes wrong, the answer is a page, never JSON. */
@Catch()
@Injectable()
export class PageExceptionFilter extends VaultExceptionFilter {
  protected override answer(reply: FastifyReply, { status, body }: ErrorResponse): void {
    reply.headers(PAGE_HEADERS).code(status).type('text/html; charset=utf-8').send(failurePage(body.error, body.message));
  }
}
