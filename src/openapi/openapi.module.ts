import { Module } from '@nestjs/common';
import { DocsAssets } from './docs-assets';
import { OpenApiController } from './openapi.controller';
import { OpenApiDocument } from './openapi-document';

/** GET /openapi.json, made from the controllers' decorators, and /docs, a page to browse it. */
@Module({
  controllers: [OpenApiController],
  providers: [OpenApiDocument, DocsAssets],
  exports: [OpenApiDocument],
})
export class OpenApiModule {}
