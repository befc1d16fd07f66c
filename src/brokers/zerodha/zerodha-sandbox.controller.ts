import { Body, Controller, Delete, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PageResponses } from '../../http/pages/page-responses';
import { BROKER_NAMES } from '../broker-names';
import { BrokerStandIn } from '../broker-stand-in';
import { chosenAccount, sandboxErrorPage, sandboxLoginPage } from '../sandbox-pages';
import { KiteReply, ZerodhaSandbox, ZERODHA_SANDBOX_APP } from './zerodha-sandbox';

type Fields = Record<string, unknown>;

const send = (reply: FastifyReply, answer: KiteReply) => reply.code(answer.status).send(answer.body);

/**
 * Kite Connect's login page and session API, as the Zerodha sandbox answers them: the login host and the API host
 * both under /sandbox/zerodha. Mounted only with SANDBOX=true while Zerodha runs on it; not in the OpenAPI document,
 * as they are Kite's routes, not the vault's.
 */
@Controller('sandbox/zerodha')
@ApiExcludeController()
export class ZerodhaSandboxController {
  constructor(private readonly kite: ZerodhaSandbox) {}

  @Get('connect/login')
  @PageResponses()
  login(@Query() query: Fields, @Res() reply: FastifyReply): void {
    const problem = this.kite.loginProblem(query);
    reply.type('text/html; charset=utf-8');
    if (problem) {
      reply.code(400).send(sandboxErrorPage(BROKER_NAMES.zerodha, problem));
      return;
    }
    const carried = { api_key: query.api_key, v: query.v, redirect_params: query.redirect_params };
    reply.send(sandboxLoginPage({ broker: BROKER_NAMES.zerodha, accounts: this.kite.options.accounts, carried }));
  }

  /** The login page's form: Kite sends the browser to the registered redirect URL, with `redirect_params` as is. */
  @Post('connect/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const problem = this.kite.loginProblem(form);
    if (problem) {
      reply.code(400).type('text/html; charset=utf-8').send(sandboxErrorPage(BROKER_NAMES.zerodha, problem));
      return;
    }
    reply.redirect(this.kite.redirectAfterLogin(form, chosenAccount(form, this.kite.options.accounts)), 302);
  }

  @Post('session/token')
  exchange(@Body() form: Fields | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.kite.exchange(form ?? {}));
  }

  @Delete('session/token')
  logout(@Body() form: Fields | undefined, @Query() query: Fields, @Res() reply: FastifyReply): void {
    send(reply, this.kite.logout(form ?? query));
  }

  @Get('user/profile')
  profile(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.kite.profile(authorization));
  }
}

export const zerodhaStandIn: BrokerStandIn<'zerodha'> = {
  broker: 'zerodha',
  app: ZERODHA_SANDBOX_APP,
  controller: ZerodhaSandboxController,
  sandbox: ZerodhaSandbox,
  create: (settings, accounts, now) =>
    new ZerodhaSandbox({ apiKey: settings.apiKey, apiSecret: settings.apiSecret, redirectUrl: settings.redirectUrl, accounts, now }),
};
