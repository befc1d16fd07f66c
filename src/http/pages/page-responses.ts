import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, UseFilters, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { PageExceptionFilter } from '../page-exception.filter';
import { PAGE_HEADERS } from '../security-headers';

/** Sets the pages' security headers before the handler answers (a page, or a redirect to the broker). */
@Injectable()
export class PageHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context.switchToHttp().getResponse<FastifyReply>().headers(PAGE_HEADERS);
    return next.handle();
  }
}

/** For a controller people visit in a browser: its answers, errors included, are pages with the pages' headers. */
export function PageResponses() {
  return applyDecorators(UseInterceptors(PageHeadersInterceptor), UseFilters(PageExceptionFilter));
}
