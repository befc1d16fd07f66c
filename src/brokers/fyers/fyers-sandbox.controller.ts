import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PageResponses } from '../../http/pages/page-responses';
import { BROKER_NAMES } from '../broker-names';
import { BrokerStandIn, textFields } from '../broker-stand-in';
import { chosenAccount, sandboxErrorPage, sandboxLoginPage } from '../sandbox-pages';
import { FyersReply, FyersSandbox, FYERS_SANDBOX_APP } from './fyers-sandbox';

type Fields = Record<string, unknown>;

const send = (reply: FastifyReply, answer: FyersReply) => reply.code(answer.status).send(answer.body);

/**
 * Fyers' API v3 login page (generate-authcode), validate-authcode, profile and logout, as the Fyers sandbox answers
 * them, under /sandbox/fyers. Mounted only with SANDBOX=true while Fyers runs on it; not in the OpenAPI document, as
 * they are Fyers' routes, not the vault's.
 */
@Controller('sandbox/fyers')
@ApiExcludeController()
export class FyersSandboxController {
  constructor(private readonly fyers: FyersSandbox) {}

  @Get('api/v3/generate-authcode')
  @PageResponses()
  login(@Query() query: Fields, @Res() reply: FastifyReply): void {
    const problem = this.fyers.authorizeProblem(textFields(query));
    reply.type('text/html; charset=utf-8');
    if (problem) {
      reply.code(400).send(sandboxErrorPage(BROKER_NAMES.fyers, problem));
      return;
    }
    reply.send(sandboxLoginPage({ broker: BROKER_NAMES.fyers, accounts: this.fyers.options.accounts, carried: { state: query.state } }));
  }

  /** The login page's form: back to the registered redirect URL with an auth code, or with `s=error`. */
  @Post('api/v3/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const state = typeof form.state === 'string' ? form.state : '';
    reply.redirect(this.fyers.redirectAfterLogin(state, chosenAccount(form, this.fyers.options.accounts)), 302);
  }

  @Post('api/v3/validate-authcode')
  validateAuthCode(@Body() body: unknown, @Res() reply: FastifyReply): void {
    send(reply, this.fyers.validateAuthCode(body));
  }

  @Get('api/v3/profile')
  profile(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.fyers.profile(authorization));
  }

  @Post('api/v3/logout')
  logout(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.fyers.logout(authorization));
  }
}

export const fyersStandIn: BrokerStandIn<'fyers'> = {
  broker: 'fyers',
  app: FYERS_SANDBOX_APP,
  controller: FyersSandboxController,
  sandbox: FyersSandbox,
  create: (settings, accounts, now) =>
    new FyersSandbox({ appId: settings.appId, appSecret: settings.appSecret, redirectUrl: settings.redirectUrl, accounts, now }),
};
