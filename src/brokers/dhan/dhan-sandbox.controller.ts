import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PageResponses } from '../../http/pages/page-responses';
import { BROKER_NAMES } from '../broker-names';
import { BrokerStandIn, textFields } from '../broker-stand-in';
import { chosenAccount, sandboxErrorPage, sandboxLoginPage } from '../sandbox-pages';
import { DhanAppHeaders, DhanReply, DhanSandbox, DHAN_SANDBOX_APP } from './dhan-sandbox';

type Fields = Record<string, unknown>;

const send = (reply: FastifyReply, answer: DhanReply) => reply.code(answer.status).send(answer.body);
const appOf = (headers: Record<string, string | string[] | undefined>): DhanAppHeaders => ({
  appId: typeof headers.app_id === 'string' ? headers.app_id : undefined,
  appSecret: typeof headers.app_secret === 'string' ? headers.app_secret : undefined,
});

/**
 * Dhan's consent login (auth.dhan.co) and profile (api.dhan.co), as the Dhan sandbox answers them, both hosts under
 * /sandbox/dhan. Mounted only with SANDBOX=true while Dhan runs on it; not in the OpenAPI document, as they are
 * Dhan's routes, not the vault's.
 */
@Controller('sandbox/dhan')
@ApiExcludeController()
export class DhanSandboxController {
  constructor(private readonly dhan: DhanSandbox) {}

  @Post('app/generate-consent')
  generateConsent(@Query() query: Fields, @Headers() headers: Record<string, string | undefined>, @Res() reply: FastifyReply): void {
    send(reply, this.dhan.generateConsent(textFields(query).client_id, appOf(headers)));
  }

  /** The consent's login page: the one account the consent was generated for. */
  @Get('login/consentApp-login')
  @PageResponses()
  login(@Query() query: Fields, @Res() reply: FastifyReply): void {
    const { consentAppId } = textFields(query);
    const problem = this.dhan.loginProblem(consentAppId);
    reply.type('text/html; charset=utf-8');
    if (problem) {
      reply.code(400).send(sandboxErrorPage(BROKER_NAMES.dhan, problem));
      return;
    }
    const accounts = [this.dhan.clientOf(consentAppId) as string];
    reply.send(sandboxLoginPage({ broker: BROKER_NAMES.dhan, accounts, carried: { consentAppId } }));
  }

  /** The login page's form: back to the redirect URL with a token id, or without one when cancelled. */
  @Post('login/decide')
  @PageResponses()
  decide(@Body() form: Fields, @Res() reply: FastifyReply): void {
    const { consentAppId } = textFields(form);
    const problem = this.dhan.loginProblem(consentAppId);
    if (problem) {
      reply.code(400).type('text/html; charset=utf-8').send(sandboxErrorPage(BROKER_NAMES.dhan, problem));
      return;
    }
    const client = this.dhan.clientOf(consentAppId) as string;
    reply.redirect(this.dhan.redirectAfterLogin(consentAppId, chosenAccount(form, [client])), 302);
  }

  @Get('app/consumeApp-consent')
  consumeConsent(@Query() query: Fields, @Headers() headers: Record<string, string | undefined>, @Res() reply: FastifyReply): void {
    send(reply, this.dhan.consumeConsent(textFields(query).tokenId, appOf(headers)));
  }

  @Get('v2/profile')
  profile(@Headers('access-token') accessToken: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.dhan.profile(accessToken));
  }
}

export const dhanStandIn: BrokerStandIn<'dhan'> = {
  broker: 'dhan',
  app: DHAN_SANDBOX_APP,
  controller: DhanSandboxController,
  sandbox: DhanSandbox,
  // The account DHAN_CLIENT_ID names is always one of its users, so that the consent the vault asks for is one it gives.
  create: (settings, accounts, now) =>
    new DhanSandbox({
      apiKey: settings.apiKey,
      apiSecret: settings.apiSecret,
      redirectUrl: settings.redirectUrl,
      accounts: accounts.includes(settings.clientId) ? accounts : [settings.clientId, ...accounts],
      now,
    }),
};
