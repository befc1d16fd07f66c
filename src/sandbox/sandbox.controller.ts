import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { BROKER_NAMES } from '../brokers/broker-names';
import { chosenAccount, sandboxErrorPage, sandboxLoginPage } from '../brokers/sandbox-pages';
import { PageResponses } from '../http/pages/page-responses';
import { SandboxBroker } from './sandbox-broker';

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
      reply.code(400).send(sandboxErrorPage(BROKER_NAMES.pocketful, problem));
      return;
    }
    const carried = { state: String(query.state), scope: String(query.scope ?? ''), code_challenge: this.broker.challengeOf(query) };
    reply.send(sandboxLoginPage({ broker: BROKER_NAMES.pocketful, accounts: this.broker.accounts, carried }));
  }

  @Post('oauth2/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const state = typeof form.state === 'string' ? form.state : '';
    const scope = typeof form.scope === 'string' ? form.scope : '';
    const challenge = this.broker.challengeOf(form);
    reply.redirect(this.broker.redirectAfterLogin(state, scope, chosenAccount(form, this.broker.accounts), challenge), 302);
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
