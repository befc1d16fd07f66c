import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PageResponses } from '../http/pages/page-responses';
import { SandboxBroker } from './sandbox-broker';
import { sandboxErrorPage, sandboxLoginPage } from './sandbox-pages';

type Fields = Record<string, unknown>;

/**
 * Pocketful's endpoints, as the built-in sandbox broker answers them. Only mounted with SANDBOX=true. Not in the
 * OpenAPI document: they are Pocketful's API, not the vault's.
 */
@Controller('sandbox')
@ApiExcludeController()
export class SandboxController {
  constructor(private readonly broker: SandboxBroker) {}

  @Get('oauth2/auth')
  @PageResponses()
  authorize(@Query() query: Fields, @Res() reply: FastifyReply): void {
    const problem = this.broker.authorizeProblem(query);
    reply.type('text/html; charset=utf-8');
    if (problem) {
      reply.code(400).send(sandboxErrorPage(problem));
      return;
    }
    reply.send(sandboxLoginPage(this.broker.accounts, String(query.state), String(query.scope ?? ''), this.broker.challengeOf(query)));
  }

  @Post('oauth2/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const state = typeof form.state === 'string' ? form.state : '';
    const scope = typeof form.scope === 'string' ? form.scope : '';
    const account = typeof form.account === 'string' && this.broker.accounts.includes(form.account) ? form.account : null;
    const approved = form.decision === 'approve' && account !== null;
    const challenge = this.broker.challengeOf(form);
    reply.redirect(this.broker.redirectAfterLogin(state, scope, approved ? account : null, challenge), 302);
  }

  @Post('oauth2/token')
  token(@Headers('authorization') authorization: string | undefined, @Body() form: Fields, @Res() reply: FastifyReply): void {
    const answer = this.broker.exchange(authorization, form ?? {});
    reply.code(answer.status).send(answer.body);
  }

  @Get('api/v1/user/trading_info')
  tradingInfo(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    const answer = this.broker.tradingInfo(authorization);
    reply.code(answer.status).send(answer.body);
  }
}
