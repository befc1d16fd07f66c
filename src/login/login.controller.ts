import { Controller, Get, Header, Query, Res, UseGuards } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { OperatorGuard } from '../access/operator.guard';
import { Audited, audited } from '../audit/audited';
import { PageResponses } from '../http/pages/page-responses';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { CallbackQuery, LoginService } from './login.service';
import { homePage, successPage } from './pages/login-pages';

/** The routes a person's browser visits. They answer pages, never JSON, whatever goes wrong. */
@Controller()
@UseGuards(OperatorGuard, RateLimitGuard)
@PageResponses()
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return homePage();
  }

  @Get('pocketful/login')
  async begin(@Res() reply: FastifyReply): Promise<void> {
    reply.redirect(await this.login.begin(), 302);
  }

  @Get('pocketful/callback')
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async callback(@Query() query: CallbackQuery) {
    const token = await this.login.complete(query);
    return audited(successPage(token.clientId, token.expiresAt), { account: token.clientId, fingerprint: token.fingerprint });
  }
}
