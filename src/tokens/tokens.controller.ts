import { applyDecorators, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { mayRead, ServiceClient } from '../access/service-client';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { CurrentClient, VaultRequest } from '../access/vault-request';
import { Audited, audited, AuditedByTheStore } from '../audit/audited';
import { Clock } from '../clock/clock';
import { forbidden } from '../errors/vault-error';
import { ValidatedBody } from '../errors/validation.pipe';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { BrokerAccountPipe, ClientIdPipe } from './client-id.pipe';
import { BROKER_IDS } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';
import { ImportTokenDto } from './dto/import-token.dto';
import { ApiErrors } from '../openapi/api-errors';
import { ReportOutcomeResponse, TokenRecordResponse, TokenResponse, VerificationResponse, VerifyAllResponse } from './token.api';
import { TokenReportService } from './token-report.service';
import { TokenVerification, Verification } from './token-verification';
import { EveryTokenVerification } from './every-token-verification';
import { AuditTrail } from '../audit/audit-trail';
import { TokenServing } from './read/token-serving';
import { TOKEN_BODY_TYPE, tokenViewBody } from './read/token-body';
import { MAX_WAIT_SECONDS, WaitingReads, WaitSecondsPipe } from './read/waiting-reads';
import { importedTokenView, verificationView, verifyAllView } from './token.views';
import { REGISTER_ERRORS, TokensService } from './tokens.service';
import { AccountBrokers } from './account-brokers';

const NO_BODY = Buffer.alloc(0);

/** What a token read may answer, on either of its routes. */
const READ_ERRORS = [
  'invalid_client_id',
  'invalid_request',
  'unauthorized',
  'clients_file_unusable',
  'forbidden',
  'token_not_found',
  'rate_limited',
  'token_unreadable',
  'audit_unavailable',
  'store_unavailable',
  'shutting_down',
] as const;

/**
 * What the read's two routes share: the `wait` query, the answer and its errors on the OpenAPI page, the audit the
 * read script writes, and the answer's content type.
 */
const TokenRead = () =>
  applyDecorators(
    ApiQuery({ name: 'wait', required: false, description: 'Hold the request up to this many seconds for a token to be stored', schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS } }),
    ApiOkResponse({ type: TokenResponse }),
    ApiErrors(...READ_ERRORS),
    AuditedByTheStore('read'),
    Header('Content-Type', TOKEN_BODY_TYPE),
  );

/** The two segments of a broker's route: `/v1/tokens/{broker}/{id}`. */
const BrokerParams = () =>
  applyDecorators(
    ApiParam({ name: 'broker', enum: BROKER_IDS, description: 'The broker', example: 'zerodha' }),
    ApiParam({ name: 'id', description: "The broker's account id: 1 to 32 letters, digits, - or _", example: 'AB1234' }),
  );

const ClientIdParam = () =>
  ApiParam({
    name: 'clientId',
    description: "An account: the default broker's id bare (YA0002), or broker:id (zerodha:AB1234); the id 1 to 32 letters, digits, - or _",
    example: 'YA0002',
  });

/** A read is counted against its client's budget by the TokenReader itself; the other routes by RateLimitGuard. */
@Controller('v1/tokens')
@UseGuards(ServiceKeyGuard)
@ApiTags('tokens')
@ApiBearerAuth('serviceKey')
export class TokensController {
  constructor(
    private readonly serving: TokenServing,
    private readonly tokens: TokensService,
    private readonly reports: TokenReportService,
    private readonly verification: TokenVerification,
    private readonly everyToken: EveryTokenVerification,
    private readonly trail: AuditTrail,
    private readonly waiting: WaitingReads,
    private readonly clock: Clock,
    private readonly brokers: BrokersSettings,
    private readonly accountBrokers: AccountBrokers,
  ) {}

  /** The hot path at market open. Answers TokenView's JSON, as bytes made once a second per token (read/token-body.ts). */
  @Get(':clientId')
  @ClientIdParam()
  @ApiOperation({ summary: "Read an account's token", description: 'Counted against the client\'s budget and audited before the token leaves.' })
  @TokenRead()
  async read(
    @Param('clientId', ClientIdPipe) clientId: string,
    @Query('wait', WaitSecondsPipe) wait: number | undefined,
    @CurrentClient() client: ServiceClient,
    @Req() request: VaultRequest,
  ): Promise<Buffer> {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not read the token of ${clientId}`);
    if (wait !== undefined) return this.readWaiting(request, clientId, wait);
    const token = await this.serving.serve(request, clientId);
    return tokenViewBody(token, this.clock.now(), this.brokers.accounts.brokerOf(clientId));
  }

  /** `?wait=N`: the same answer, once a token is stored on any replica, or 404 when N seconds pass without one. */
  private async readWaiting(request: VaultRequest, clientId: string, seconds: number): Promise<Buffer> {
    const token = await this.waiting.serve(request, clientId, seconds);
    // The caller left while held: nobody reads this answer, and nothing is recorded of a read that never answered.
    return token === null ? NO_BODY : tokenViewBody(token, this.clock.now(), this.brokers.accounts.brokerOf(clientId));
  }

  /**
   * The same read, naming the broker in the path: `/v1/tokens/zerodha/AB1234` (`/v1/tokens/pocketful/YA0002` is
   * `YA0002` while Pocketful is the default).
   */
  @Get(':broker/:id')
  @BrokerParams()
  @ApiOperation({ summary: "Read a broker's account's token", description: 'As GET /v1/tokens/{clientId} for the account {broker}:{id}.' })
  @TokenRead()
  readOfBroker(
    @Param(BrokerAccountPipe) clientId: string,
    @Query('wait', WaitSecondsPipe) wait: number | undefined,
    @CurrentClient() client: ServiceClient,
    @Req() request: VaultRequest,
  ): Promise<Buffer> {
    return this.read(clientId, wait, client, request);
  }

  /** A token pasted from a broker's dashboard: that broker itself says whose it is. */
  @Post()
  @ApiOperation({
    summary: "Import a token pasted from a broker's dashboard (admin clients)",
    description:
      "The broker (`broker`, the default broker when absent) is asked whose token it is; it is stored under that account until its broker's cut-off, or the token's own JWT `exp` when earlier.",
  })
  @ApiCreatedResponse({ type: TokenRecordResponse })
  @ApiErrors(
    'invalid_request',
    'invalid_json',
    'broker_not_enabled',
    'unauthorized',
    'clients_file_unusable',
    'forbidden',
    'payload_too_large',
    'unsupported_media_type',
    'rate_limited',
    ...REGISTER_ERRORS,
  )
  @AdminOnly()
  @UseGuards(RateLimitGuard)
  @Audited('import')
  async import(@ValidatedBody() body: ImportTokenDto) {
    const broker = this.accountBrokers.named(body.broker ?? this.brokers.defaultBroker);
    const token = await this.tokens.registerFrom(broker, broker.pasted(body.accessToken), 'import', this.clock.now());
    return audited(importedTokenView(token, this.clock.now(), broker.id), { account: token.clientId, fingerprint: token.fingerprint });
  }

  /**
   * A consumer's token was refused by Pocketful. Any client that may read the account may report it; the answer
   * says whether the vault found it dead (and removed it) or alive.
   */
  @Post(':clientId/report-invalid')
  @ClientIdParam()
  @ApiOperation({ summary: 'Report that Pocketful refused a token', description: 'The vault asks Pocketful; a dead token is removed.' })
  @ApiOkResponse({ type: ReportOutcomeResponse })
  @ApiErrors(
    'invalid_client_id',
    'unauthorized',
    'clients_file_unusable',
    'forbidden',
    'token_not_found',
    'rate_limited',
    'token_unreadable',
    'broker_rejected',
    'broker_unavailable',
    'broker_malformed_response',
    'store_unavailable',
    'broker_timeout',
  )
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @Audited('report')
  async reportInvalid(@Param('clientId', ClientIdPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not report the token of ${clientId}`);
    const outcome = await this.reports.report(clientId, client.name);
    return audited(outcome, { account: clientId, result: outcome.checked ? outcome.verdict : `${outcome.verdict}_recently` });
  }

  /**
   * Every stored live token, asked of its broker a few at a time; each refused token is removed and recorded in the
   * audit trail under its account, besides the route's own entry.
   */
  @Post('verify')
  @ApiOperation({
    summary: 'Verify every stored token with its broker (admin clients)',
    description: 'Each as POST /v1/tokens/{clientId}/verify: a token the broker refuses is removed; a broker failure removes nothing.',
  })
  @ApiOkResponse({ type: VerifyAllResponse })
  @ApiErrors('unauthorized', 'clients_file_unusable', 'forbidden', 'rate_limited', 'token_unreadable', 'store_unavailable')
  @AdminOnly()
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @Audited('verify')
  async verifyAll(@CurrentClient() client: ServiceClient, @Req() request: VaultRequest) {
    const startedAt = this.clock.now();
    const results = await this.everyToken.verifyAll(client.name);
    const removed = results.filter((result) => result.valid === false && result.fresh);
    await Promise.all(
      removed.map((result) => this.trail.recordSuccess(request, 'verify', { account: result.clientId, fingerprint: result.fingerprint, result: verdictOf(result) })),
    );
    return audited(verifyAllView(results, startedAt), { account: null });
  }

  /**
   * Asks the account's broker whether its token still works. Any client that may read the account may ask; a token
   * the broker refuses (or says is another account's) is removed, and a broker's failure answers `valid: null`.
   */
  @Post(':clientId/verify')
  @ClientIdParam()
  @ApiOperation({ summary: "Verify an account's token with its broker", description: 'A token the broker refuses is removed; a timeout or a broker failure answers valid: null and removes nothing.' })
  @ApiOkResponse({ type: VerificationResponse })
  @ApiErrors('invalid_client_id', 'unauthorized', 'clients_file_unusable', 'forbidden', 'token_not_found', 'rate_limited', 'token_unreadable', 'store_unavailable')
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @Audited('verify')
  async verify(@Param('clientId', ClientIdPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may not verify the token of ${clientId}`);
    const result = await this.verification.verify(clientId, client.name);
    const details = { account: clientId, fingerprint: result.fingerprint, result: `${verdictOf(result)}${result.fresh ? '' : '_recently'}` };
    return audited(verificationView(result), details);
  }

  /** The same verification, naming the broker in the path: `POST /v1/tokens/zerodha/AB1234/verify`. */
  @Post(':broker/:id/verify')
  @BrokerParams()
  @ApiOperation({ summary: "Verify a broker's account's token", description: 'As POST /v1/tokens/{clientId}/verify for the account {broker}:{id}.' })
  @ApiOkResponse({ type: VerificationResponse })
  @ApiErrors('invalid_client_id', 'unauthorized', 'clients_file_unusable', 'forbidden', 'token_not_found', 'rate_limited', 'token_unreadable', 'store_unavailable')
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @Audited('verify')
  verifyOfBroker(@Param(BrokerAccountPipe) clientId: string, @CurrentClient() client: ServiceClient) {
    return this.verify(clientId, client);
  }

  @Delete(':clientId')
  @ClientIdParam()
  @ApiOperation({ summary: "Delete an account's token (admin clients)" })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors('invalid_client_id', 'unauthorized', 'clients_file_unusable', 'forbidden', 'token_not_found', 'rate_limited', 'store_unavailable')
  @AdminOnly()
  @HttpCode(204)
  @UseGuards(RateLimitGuard)
  @Audited('delete')
  async remove(@Param('clientId', ClientIdPipe) clientId: string) {
    await this.tokens.remove(clientId);
    return audited(undefined, { account: clientId });
  }
}

/** A verification as the audit trail records it: `valid`, `invalid`, `wrong_account`, or why there was no verdict. */
function verdictOf({ valid, reason }: Verification): string {
  if (valid === true) return 'valid';
  if (valid === false) return reason === 'wrong_account' ? 'wrong_account' : 'invalid';
  return reason ?? 'unknown';
}
