import { Controller, Get, Header, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiPageErrors } from '../openapi/api-errors';
import { FastifyReply, FastifyRequest } from 'fastify';
import { OperatorGuard } from '../access/operator.guard';
import { Audited } from '../audit/audited';
import { PageResponses } from '../http/pages/page-responses';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { CALLBACK_ERRORS } from './callback-errors';
import { LoginCookies } from './login-cookie';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { vaultError } from '../errors/vault-error';
import { CallbackQuery, LoginService, STATE_LIFETIME_MS } from './login.service';
import { answerCallback } from './callback-answer';

/**
 * The login routes a person's browser visits, from the status page at `/`. They answer pages, never JSON, whatever
 * goes wrong.
 */
@Controller()
@ApiTags('pages')
@ApiSecurity('operator')
@ApiSecurity({})
@UseGuards(OperatorGuard, RateLimitGuard)
@PageResponses()
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly cookies: LoginCookies,
    private readonly settings: BrokerSettings,
  ) {}

  @Get('pocketful/login')
  @ApiOperation({ summary: 'Start a Pocketful login (a page for a browser)', description: 'Sets a login cookie and redirects to Pocketful.' })
  @ApiResponse({ status: 302, description: "To Pocketful's login, with state and code_challenge" })
  @ApiPageErrors('not_found', 'operator_unauthorized', 'rate_limited', 'store_unavailable')
  async begin(@Res() reply: FastifyReply): Promise<void> {
    this.requireOn();
    const { url, state, browserSecret } = await this.login.beginAt('pocketful');
    reply.header('set-cookie', this.cookies.issue(state, browserSecret, STATE_LIFETIME_MS)).redirect(url, 302);
  }

  @Get('pocketful/callback')
  @ApiOperation({ summary: "Pocketful's redirect after a login: stores the token (a page for a browser)" })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false, description: "Pocketful's refusal, when the login did not succeed" })
  @ApiOkResponse({ description: 'A page saying which account was stored until when', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiPageErrors(...CALLBACK_ERRORS)
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async callback(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    this.requireOn();
    return answerCallback(this.login, 'pocketful', query, this.cookies, request, reply);
  }

  /** With another broker the default (REDIRECT_URL) and no POCKETFUL_API_KEY, Pocketful has no login here. */
  private requireOn(): void {
    if (!this.settings.enabled) throw vaultError('not_found', 'Pocketful is not configured on this vault: set POCKETFUL_API_KEY to log in to it.');
  }
}
