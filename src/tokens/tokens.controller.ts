import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { mayRead, ServiceClient } from '../access/service-client';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { CurrentClient, serviceClientOf, VaultRequest } from '../access/vault-request';
import { Audited, audited, AuditedByTheStore } from '../audit/audited';
import { Clock } from '../clock/clock';
import { forbidden } from '../errors/vault-error';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { ClientIdPipe, parseClientId } from './client-id.pipe';
import { ImportTokenDto } from './dto/import-token.dto';
import { TokenReportService } from './token-report.service';
import { TokenServing } from './token-serving';
import { tokenRecordView, tokenViewJson } from './token.views';
import { TokensService } from './tokens.service';

/** A read is counted against its client's budget by the TokenReader itself; the other routes by RateLimitGuard. */
@Controller('v1/tokens')
@UseGuards(ServiceKeyGuard)
export class TokensController {
  constructor(
    private readonly serving: TokenServing,
    private readonly tokens: TokensService,
    private readonly reports: TokenReportService,
    private readonly clock: Clock,
  ) {}

  /**
   * The hot path: the request alone as parameter (no pipes to run), and the answer serialised mostly ahead of time
   * (token.views.ts). Answers the same JSON as TokenView.
   */
  @Get(':clientId')
  @AuditedByTheStore('read')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async read(@Req() request: VaultRequest): Promise<string> {
    const clientId = parseClientId((request.params as { clientId?: unknown }).clientId);
    const client = serviceClientOf(request);
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not read the token of ${clientId}`);
    const token = await this.serving.serve(request, clientId);
    return tokenViewJson(token, this.clock.now());
  }

  /** A token pasted from Pocketful's dashboard: Pocketful itself says whose it is. */
  @Post()
  @AdminOnly()
  @UseGuards(RateLimitGuard)
  @Audited('import')
  async import(@Body() body: ImportTokenDto) {
    const token = await this.tokens.register({ accessToken: body.accessToken, tokenType: 'bearer', scope: '' }, 'import', this.clock.now());
    return audited(tokenRecordView(token, this.clock.now()), { account: token.clientId, fingerprint: token.fingerprint });
  }

  /**
   * A consumer's token was refused by Pocketful. Any client that may read the account may report it; the answer
   * says whether the vault found it dead (and removed it) or alive.
   */
  @Post(':clientId/report-invalid')
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @Audited('report')
  async reportInvalid(@Param('clientId', ClientIdPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not report the token of ${clientId}`);
    const outcome = await this.reports.report(clientId, client.name);
    return audited(outcome, { account: clientId, result: outcome.checked ? outcome.verdict : `${outcome.verdict}_recently` });
  }

  @Delete(':clientId')
  @AdminOnly()
  @HttpCode(204)
  @UseGuards(RateLimitGuard)
  @Audited('delete')
  async remove(@Param('clientId', ClientIdPipe) clientId: string) {
    await this.tokens.remove(clientId);
    return audited(undefined, { account: clientId });
  }
}
