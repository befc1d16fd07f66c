import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { mayRead, ServiceClient } from '../access/service-client';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { CurrentClient } from '../access/vault-request';
import { Audited, audited } from '../audit/audited';
import { Clock } from '../clock/clock';
import { forbidden } from '../errors/vault-error';
import { VaultThrottlerGuard } from '../rate-limit/vault-throttler.guard';
import { ClientIdPipe } from './client-id.pipe';
import { ImportTokenDto } from './dto/import-token.dto';
import { TokenReportService } from './token-report.service';
import { tokenRecordView, tokenView } from './token.views';
import { TokensService } from './tokens.service';

@Controller('v1/tokens')
@UseGuards(ServiceKeyGuard, VaultThrottlerGuard)
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly reports: TokenReportService,
    private readonly clock: Clock,
  ) {}

  @Get(':clientId')
  @Audited('read')
  async read(@Param('clientId', ClientIdPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not read the token of ${clientId}`);
    const token = await this.tokens.find(clientId);
    return audited(tokenView(token, this.clock.now()), { account: clientId, accessToken: token.accessToken });
  }

  /** A token pasted from Pocketful's dashboard: Pocketful itself says whose it is. */
  @Post()
  @AdminOnly()
  @Audited('import')
  async import(@Body() body: ImportTokenDto) {
    const token = await this.tokens.register({ accessToken: body.accessToken, tokenType: 'bearer', scope: '' }, 'import', this.clock.now());
    return audited(tokenRecordView(token, this.clock.now()), { account: token.clientId, accessToken: token.accessToken });
  }

  /**
   * A consumer's token was refused by Pocketful. Any client that may read the account may report it; the answer
   * says whether the vault found it dead (and removed it) or alive.
   */
  @Post(':clientId/report-invalid')
  @HttpCode(200)
  @Audited('report')
  async reportInvalid(@Param('clientId', ClientIdPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not report the token of ${clientId}`);
    const outcome = await this.reports.report(clientId, client.name);
    return audited(outcome, { account: clientId, result: outcome.checked ? outcome.verdict : `${outcome.verdict}_recently` });
  }

  @Delete(':clientId')
  @AdminOnly()
  @HttpCode(204)
  @Audited('delete')
  async remove(@Param('clientId', ClientIdPipe) clientId: string) {
    await this.tokens.remove(clientId);
    return audited(undefined, { account: clientId });
  }
}
