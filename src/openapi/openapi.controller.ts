import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { vaultError } from '../errors/vault-error';
import { DOCS_ASSETS, DocsAsset, DocsAssets } from './docs-assets';
import { DOCS_HEADERS } from './docs-headers';
import { DOCS_INIT_SCRIPT, DOCS_PAGE } from './docs-page';
import { OpenApiDocument } from './openapi-document';

/**
 * The API's description, for anyone who can reach the vault: it holds no secret, only what the routes take and
 * answer. Not in the document itself: it describes the API, not its own description.
 */
@Controller()
@ApiExcludeController()
export class OpenApiController {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly assets: DocsAssets,
  ) {}

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  openapi(): string {
    return this.document.asJson();
  }

  @Get('docs')
  page(@Res() reply: FastifyReply): void {
    reply.headers(DOCS_HEADERS).type('text/html; charset=utf-8').send(DOCS_PAGE);
  }

  @Get('docs/init.js')
  init(@Res() reply: FastifyReply): void {
    reply.type('application/javascript; charset=utf-8').send(DOCS_INIT_SCRIPT);
  }

  /** Only the two files the page loads: the name is checked against that list, never joined to a path as given. */
  @Get('docs/:asset')
  asset(@Param('asset') asset: string, @Res() reply: FastifyReply): void {
    if (!Object.hasOwn(DOCS_ASSETS, asset)) throw vaultError('not_found', 'the docs page has no such file');
    const name = asset as DocsAsset;
    reply.type(DOCS_ASSETS[name]).send(this.assets.read(name));
  }
}
