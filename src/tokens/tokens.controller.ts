import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AdminOnly, AuthenticatedRequest, ServiceKeyGuard } from '../access/service-key.guard';
import { mayRead } from '../access/service-client';
import { Clock } from '../clock/clock';
import { forbidden } from '../errors/vault-error';
import { ClientIdPipe } from './client-id.pipe';
import { ImportTokenDto } from './dto/import-token.dto';
import { tokenRecordView, tokenView } from './token.views';
import { TokenReportService } from './token-report.service';
import { TokensService } from './tokens.service';

@Controller('v1/tokens')
@UseGuards(ServiceKeyGuard)
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly reports: TokenReportService,
    private readonly clock: Clock,
  ) {}

  @Get(':clientId')
  async read(@Param('clientId', ClientIdPipe) clientId: string, @Req() request: AuthenticatedRequest) {
    if (!mayRead(request.serviceClient, clientId)) {
      throw forbidden(`client ${request.serviceClient.name} may not read the token of ${clientId}`);
    }
    return tokenView(await this.tokens.find(clientId), this.clock.now());
  }

  /** A token pasted from Pocketful's dashboard: Pocketful itself says whose it is. */
  @Post()
  @AdminOnly()
  async import(@Body() body: ImportTokenDto) {
    const issuedAt = this.clock.now();
    const token = await this.tokens.register(
      { accessToken: body.accessToken, tokenType: 'bearer', scope: '' },
      'import',
      issuedAt,
    );
    return tokenRecordView(token, this.clock.now());
  }

  /**
   * A consumer's token was refused by Pocketful. Any client that may read the account may report it; the answer
   * says whether the vault found it dead (and removed it) or alive.
   */
  @Post(':clientId/report-invalid')
  @HttpCode(200)
  async reportInvalid(@Param('clientId', ClientIdPipe) clientId: string, @Req() request: AuthenticatedRequest) {
    if (!mayRead(request.serviceClient, clientId)) {
      throw forbidden(`client ${request.serviceClient.name} may not report the token of ${clientId}`);
    }
    return this.reports.report(clientId, request.serviceClient.name);
  }

  @Delete(':clientId')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('clientId', ClientIdPipe) clientId: string): Promise<void> {
    await this.tokens.remove(clientId);
  }
}
