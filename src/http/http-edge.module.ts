import { Global, Module } from '@nestjs/common';
import { Draining } from './draining';
import { PageExceptionFilter } from './page-exception.filter';
import { FaviconController } from './pages/favicon.controller';
import { PageHeadersInterceptor } from './pages/page-responses';
import { VaultExceptionFilter } from './vault-exception.filter';

/**
 * The error answers of every route: JSON by default (a global filter), pages for the controllers people visit;
 * whether the replica is draining, for readiness; and the empty favicon browsers ask for.
 */
@Global()
@Module({
  controllers: [FaviconController],
  providers: [VaultExceptionFilter, PageExceptionFilter, PageHeadersInterceptor, Draining],
  exports: [VaultExceptionFilter, PageExceptionFilter, PageHeadersInterceptor, Draining],
})
export class HttpEdgeModule {}
