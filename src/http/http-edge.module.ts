import { Global, Module } from '@nestjs/common';
import { PageExceptionFilter } from './page-exception.filter';
import { PageHeadersInterceptor } from './pages/page-responses';
import { VaultExceptionFilter } from './vault-exception.filter';

/** The error answers of every route: JSON by default (a global filter), pages for the controllers people visit. */
@Global()
@Module({
  providers: [VaultExceptionFilter, PageExceptionFilter, PageHeadersInterceptor],
  exports: [VaultExceptionFilter, PageExceptionFilter, PageHeadersInterceptor],
})
export class HttpEdgeModule {}
