import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BrokersSettings } from '../brokers/brokers.config';
import { ApiPageErrors } from '../openapi/api-errors';
import { OperatorGuard } from '../access/operator.guard';
import { PageResponses } from '../http/pages/page-responses';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { AccountBrokers } from '../tokens/account-brokers';
import { statusPage } from './pages/status-page';
import { StatusService } from './status.service';

/** The vault's home page, for the operators ADMIN_AUTH lets in, like the login pages it links to. */
@Controller()
@ApiTags('pages')
@ApiSecurity('operator')
@ApiSecurity({})
@UseGuards(OperatorGuard, RateLimitGuard)
@PageResponses()
export class StatusPageController {
  constructor(
    private readonly status: StatusService,
    private readonly brokers: BrokersSettings,
    private readonly accountBrokers: AccountBrokers,
  ) {}

  @Get()
  @ApiOperation({ summary: "The status page: every account's token, the last alerts, the vault's health (a page for a browser)" })
  @ApiOkResponse({ description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiPageErrors('operator_unauthorized', 'rate_limited')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(): Promise<string> {
    return statusPage(await this.status.report(), this.brokers.accounts, this.accountBrokers.brokersOn());
  }
}
