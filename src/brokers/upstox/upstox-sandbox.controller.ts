import { Body, Controller, Delete, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PageResponses } from '../../http/pages/page-responses';
import { BROKER_NAMES } from '../broker-names';
import { BrokerStandIn, textFields } from '../broker-stand-in';
import { chosenAccount, sandboxErrorPage, sandboxLoginPage } from '../sandbox-pages';
import { UpstoxReply, UpstoxSandbox, UPSTOX_SANDBOX_APP } from './upstox-sandbox';

type Fields = Record<string, unknown>;

const send = (reply: FastifyReply, answer: UpstoxReply) => reply.code(answer.status).send(answer.body);

/** What Upstox's refusal says, for the page shown in place of its login. */
const messageOf = (answer: UpstoxReply): string =>
  (answer.body as { errors?: Array<{ message?: string }> }).errors?.[0]?.message ?? 'The login request was refused.';

/**
 * Upstox's API v2 login dialog, token exchange, profile and logout, as the Upstox sandbox answers them, under
 * /sandbox/upstox. Mounted only with SANDBOX=true while Upstox runs on it; not in the OpenAPI document, as they are
 * Upstox's routes, not the vault's.
 */
@Controller('sandbox/upstox')
@ApiExcludeController()
export class UpstoxSandboxController {
  constructor(private readonly upstox: UpstoxSandbox) {}

  @Get('v2/login/authorization/dialog')
  @PageResponses()
  dialog(@Query() query: Fields, @Res() reply: FastifyReply): void {
    const problem = this.upstox.authorizeProblem(textFields(query));
    reply.type('text/html; charset=utf-8');
    if (problem) {
      reply.code(problem.status).send(sandboxErrorPage(BROKER_NAMES.upstox, messageOf(problem)));
      return;
    }
    reply.send(sandboxLoginPage({ broker: BROKER_NAMES.upstox, accounts: this.upstox.options.accounts, carried: { state: query.state } }));
  }

  /** The login page's form: back to the registered redirect URL with a code, or with access_denied. */
  @Post('v2/login/authorization/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const state = typeof form.state === 'string' ? form.state : undefined;
    reply.redirect(this.upstox.redirectAfterLogin(state, chosenAccount(form, this.upstox.options.accounts)), 302);
  }

  @Post('v2/login/authorization/token')
  exchange(@Headers('content-type') contentType: string | undefined, @Body() form: Fields | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.upstox.exchange(contentType, textFields(form)));
  }

  @Get('v2/user/profile')
  profile(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.upstox.profile(authorization));
  }

  @Delete('v2/logout')
  logout(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.upstox.logout(authorization));
  }
}

export const upstoxStandIn: BrokerStandIn<'upstox'> = {
  broker: 'upstox',
  app: UPSTOX_SANDBOX_APP,
  controller: UpstoxSandboxController,
  sandbox: UpstoxSandbox,
  create: (settings, accounts, now) =>
    new UpstoxSandbox({ apiKey: settings.apiKey, apiSecret: settings.apiSecret, redirectUrl: settings.redirectUrl, accounts, now }),
};
