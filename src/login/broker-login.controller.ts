import { Controller, Get, Header, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { OperatorGuard } from '../access/operator.guard';
import { Audited } from '../audit/audited';
import { BrokerId } from '../brokers/broker-adapter';
import { BROKERS_BESIDES_POCKETFUL, BrokersSettings } from '../brokers/brokers.config';
import { ErrorCode } from '../errors/error-catalogue';
import { PageResponses } from '../http/pages/page-responses';
import { ApiPageErrors } from '../openapi/api-errors';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { AccountBrokers } from '../tokens/account-brokers';
import { LoginCookies } from './login-cookie';
import { CALLBACK_ERRORS } from './callback-errors';
import { brokerNotConfigured, CallbackQuery, LoginService, STATE_LIFETIME_MS } from './login.service';
import { answerCallback } from './callback-answer';

/** What a login's start answers when it must ask the broker first (Dhan's consent), besides the others' refusals. */
const BROKER_CALL_ERRORS: ErrorCode[] = ['broker_rejected', 'broker_unavailable', 'broker_timeout', 'broker_malformed_response'];

const BeginDoc = (name: string, asksBroker = false) => [
  ApiOperation({
    summary: `Start a ${name} login (a page for a browser)`,
    description: asksBroker
      ? `Asks ${name} for a consent, sets a login cookie that carries the login's state (${name} sends none back) and redirects to ${name}'s login for that consent; 404 when ${name} is not configured.`
      : `Sets a login cookie and redirects to ${name}; 404 when ${name} is not configured.`,
  }),
  ApiResponse({ status: 302, description: asksBroker ? `To ${name}'s login for the consent` : `To ${name}'s login, with the login's state` }),
  ApiPageErrors('not_found', 'operator_unauthorized', 'rate_limited', 'store_unavailable', ...(asksBroker ? BROKER_CALL_ERRORS : [])),
];
const CallbackDoc = (name: string) => [
  ApiOperation({ summary: `${name}'s redirect after a login: stores the token (a page for a browser)` }),
  ApiOkResponse({ description: 'A page saying which account was stored until when', content: { 'text/html': { schema: { type: 'string' } } } }),
  ApiPageErrors(...CALLBACK_ERRORS),
];
const apply = (decorators: MethodDecorator[]): MethodDecorator => (target, key, descriptor) => {
  for (const decorator of decorators) decorator(target, key, descriptor);
};

/**
 * The logins of the brokers besides Pocketful (OpenAlgo's paths: /zerodha/login, /zerodha/callback, …), run by each
 * broker's adapter through the login service; a broker that is off answers 404. Pages, never JSON, as Pocketful's.
 */
@Controller()
@ApiTags('pages')
@ApiSecurity('operator')
@ApiSecurity({})
@UseGuards(OperatorGuard, RateLimitGuard)
@PageResponses()
export class BrokerLoginController {
  private readonly cookies: ReadonlyMap<BrokerId, LoginCookies>;

  constructor(
    private readonly login: LoginService,
    brokers: BrokersSettings,
    adapters: AccountBrokers,
  ) {
    const cookies = new Map<BrokerId, LoginCookies>();
    for (const broker of BROKERS_BESIDES_POCKETFUL) {
      const settings = brokers[broker];
      const carriesState = adapters.adapter(broker)?.returnsState === false;
      if (settings) cookies.set(broker, LoginCookies.of(settings.redirectUrl, broker, { carriesState }));
    }
    this.cookies = cookies;
  }

  @Get('zerodha/login')
  @apply(BeginDoc('Zerodha'))
  beginZerodha(@Res() reply: FastifyReply) {
    return this.begin('zerodha', reply);
  }

  @Get('zerodha/callback')
  @apply(CallbackDoc('Zerodha'))
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  callbackZerodha(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.callback('zerodha', query, request, reply);
  }

  @Get('upstox/login')
  @apply(BeginDoc('Upstox'))
  beginUpstox(@Res() reply: FastifyReply) {
    return this.begin('upstox', reply);
  }

  @Get('upstox/callback')
  @apply(CallbackDoc('Upstox'))
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  callbackUpstox(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.callback('upstox', query, request, reply);
  }

  @Get('fyers/login')
  @apply(BeginDoc('Fyers'))
  beginFyers(@Res() reply: FastifyReply) {
    return this.begin('fyers', reply);
  }

  @Get('fyers/callback')
  @apply(CallbackDoc('Fyers'))
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  callbackFyers(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.callback('fyers', query, request, reply);
  }

  @Get('dhan/login')
  @apply(BeginDoc('Dhan', true))
  beginDhan(@Res() reply: FastifyReply) {
    return this.begin('dhan', reply);
  }

  @Get('dhan/callback')
  @apply(CallbackDoc('Dhan'))
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  callbackDhan(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.callback('dhan', query, request, reply);
  }

  private async begin(broker: BrokerId, reply: FastifyReply): Promise<void> {
    const { url, state, browserSecret } = await this.login.beginAt(broker);
    reply.header('set-cookie', this.cookiesOf(broker).issue(state, browserSecret, STATE_LIFETIME_MS)).redirect(url, 302);
  }

  private async callback(broker: BrokerId, query: CallbackQuery, request: FastifyRequest, reply: FastifyReply) {
    return answerCallback(this.login, broker, query, this.cookiesOf(broker), request, reply);
  }

  /** Its cookies, for a broker that is on; a broker that is off has no login, so none of its routes answers. */
  private cookiesOf(broker: BrokerId): LoginCookies {
    const cookies = this.cookies.get(broker);
    if (cookies === undefined) throw brokerNotConfigured(broker);
    return cookies;
  }
}
