import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { VaultThrottlerGuard } from '../rate-limit/vault-throttler.guard';
import { AdminOnly, AuthenticatedRequest, ServiceKeyGuard } from '../access/service-key.guard';
import { mayRead } from '../access/service-client';
import { Clock } from '../clock/clock';
import { forbidden, VaultError } from '../errors/vault-error';
import { AuditAction } from '../audit/audit-log';
import { AuditTrail } from '../audit/audit-trail';
import { ClientIdPipe } from './client-id.pipe';
import { ImportTokenDto } from './dto/import-token.dto';
import { tokenRecordView, tokenView } from './token.views';
import { TokenReportService } from './token-report.service';
import { TokensService } from './tokens.service';

@Controller('v1/tokens')
@UseGuards(ServiceKeyGuard, VaultThrottlerGuard)
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly reports: TokenReportService,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  @Get(':clientId')
  async read(@Param('clientId', ClientIdPipe) clientId: string, @Req() request: AuthenticatedRequest) {
    if (!mayRead(request.serviceClient, clientId)) {
      throw forbidden(`client ${request.serviceClient.name} may not read the token of ${clientId}`);
    }
    const token = await this.audited(request, 'read', clientId, () => this.tokens.find(clientId));
    await this.audit.beforeServing(request, clientId, token.accessToken);
    return tokenView(token, this.clock.now());
  }

  /** A token pasted from Pocketful's dashboard: Pocketful itself says whose it is. */
  @Post()
  @AdminOnly()
  async import(@Body() body: ImportTokenDto, @Req() request: AuthenticatedRequest) {
    const issuedAt = this.clock.now();
    const token = await this.audited(request, 'import', null, () =>
      this.tokens.register({ accessToken: body.accessToken, tokenType: 'bearer', scope: '' }, 'import', issuedAt),
    );
    await this.audit.record(request, 'import', 'ok', token.clientId, token.accessToken);
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
    const outcome = await this.audited(request, 'report', clientId, () => this.reports.report(clientId, request.serviceClient.name));
    await this.audit.record(request, 'report', outcome.checked ? outcome.verdict : `${outcome.verdict}_recently`, clientId);
    return outcome;
  }

  @Delete(':clientId')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('clientId', ClientIdPipe) clientId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.audited(request, 'delete', clientId, () => this.tokens.remove(clientId));
    await this.audit.record(request, 'delete', 'ok', clientId);
  }

  /** Runs the action; if it fails with an answer for the caller, that failure is recorded before it is given. */
  private async audited<T>(request: AuthenticatedRequest, action: AuditAction, clientId: string | null, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof VaultError) await this.audit.record(request, action, error.code, clientId);
      throw error;
    }
  }
}
