import { Controller, Get, Header, Query, Req, Res, UseGuards } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { OperatorGuard } from '../access/operator.guard';
import { Audited, audited } from '../audit/audited';
import { PageResponses } from '../http/pages/page-responses';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { LoginCookies } from './login-cookie';
import { CallbackQuery, LoginService, STATE_LIFETIME_MS } from './login.service';
import { homePage, successPage } from './pages/login-pages';

/** The routes a person's browser visits. They answer pages, never JSON, whatever goes wrong. */
@Controller()
@UseGuards(OperatorGuard, RateLimitGuard)
@PageResponses()
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly cookies: LoginCookies,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return homePage();
  }

  @Get('pocketful/login')
  async begin(@Res() reply: FastifyReply): Promise<void> {
    const { url, state, browserSecret } = await this.login.begin();
    reply.header('set-cookie', this.cookies.issue(state, browserSecret, STATE_LIFETIME_MS)).redirect(url, 302);
  }

  @Get('pocketful/callback')
  @Audited('store')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async callback(@Query() query: CallbackQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const secret = typeof query.state === 'string' ? this.cookies.read(request.headers.cookie, query.state) : undefined;
    const login = await this.login.take(query, secret);
    // The state is used up from here on, success or not: its cookie has nothing left to prove.
    reply.header('set-cookie', this.cookies.clear(login.state));
    const token = await this.login.finish(login);
    return audited(successPage(token.clientId, token.expiresAt), { account: token.clientId, fingerprint: token.fingerprint });
  }
}
