import { Global, Module } from '@nestjs/common';
import { PageExceptionFilter } from './page-exception.filter';
import { VaultExceptionFilter } from './vault-exception.filter';

/** The error answers of every route: JSON by default (a global filter), pages for the controllers people visit. */
@Global()
@Module({ providers: [VaultExceptionFilter, PageExceptionFilter], exports: [VaultExceptionFilter, PageExceptionFilter] })
export class HttpEdgeModule {}
