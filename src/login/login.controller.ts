import { Controller, Get, Header, Query, Req, Res, UseGuards } from '@nestjs/common';
import { OperatorGuard } from '../access/operator.guard';
import { VaultThrottlerGuard } from '../rate-limit/vault-throttler.guard';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail';
import { VaultError } from '../errors/vault-error';
import { CallbackQuery, LoginService } from './login.service';
import { failurePage, homePage, successPage } from './pages/login-pages';

/** The routes a person's browser visits. They answer pages, never JSON, whatever goes wrong. */
@Controller()
@UseGuards(OperatorGuard, VaultThrottlerGuard)
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly audit: AuditTrail,
  ) {}

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
  async callback(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    reply.type('text/html; charset=utf-8');
    try {
      const token = await this.login.complete(query);
      await this.audit.record(request, 'store', 'ok', token.clientId, token.accessToken);
      reply.code(200).send(successPage(token.clientId, token.expiresAt));
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      await this.audit.record(request, 'store', error.code, null);
      reply.code(error.status).send(failurePage(error.code, error.message));
    }
  }
}
