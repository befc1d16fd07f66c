import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { AccountsResponse } from './token.api';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { Clock } from '../clock/clock';
import { accountView } from './token.views';
import { TokensService } from './tokens.service';
import { BrokersSettings } from '../brokers/brokers.config';

@Controller('v1/accounts')
@ApiTags('tokens')
@ApiBearerAuth('serviceKey')
@UseGuards(ServiceKeyGuard, RateLimitGuard)
export class AccountsController {
  constructor(
    private readonly tokens: TokensService,
    private readonly clock: Clock,
    private readonly brokers: BrokersSettings,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every account the vault knows, with its token\'s state, never the token (admin clients)' })
  @ApiOkResponse({ type: AccountsResponse })
  @ApiErrors('unauthorized', 'clients_file_unusable', 'forbidden', 'rate_limited', 'store_unavailable')
  @AdminOnly()
  async list() {
    const now = this.clock.now();
    return { accounts: (await this.tokens.accounts()).map((status) => {
        const { clientId, ...rest } = accountView(status, now);
        return { clientId, broker: this.brokers.accounts.brokerOf(clientId), ...rest };
      }) };
  }
}
