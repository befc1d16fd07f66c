import { Controller, Get, UseGuards } from '@nestjs/common';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { Clock } from '../clock/clock';
import { accountView } from './token.views';
import { TokensService } from './tokens.service';

@Controller('v1/accounts')
@UseGuards(ServiceKeyGuard, RateLimitGuard)
export class AccountsController {
  constructor(
    private readonly tokens: TokensService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @AdminOnly()
  async list() {
    const now = this.clock.now();
    return { accounts: (await this.tokens.accounts()).map((status) => accountView(status, now)) };
  }
}
