import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { StatusResponse } from './status.api';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { StatusService } from './status.service';
import { StatusJson, statusJson } from './status.views';

/** The status page's data for a terminal (`npm run status`) or a monitor: admin clients only, never a token. */
@Controller('v1/status')
@ApiTags('status')
@ApiBearerAuth('serviceKey')
@UseGuards(ServiceKeyGuard, RateLimitGuard)
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({ summary: "The status page's data: accounts, alerts, health, replicas; never a token (admin clients)" })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors('unauthorized', 'clients_file_unusable', 'forbidden', 'rate_limited')
  @AdminOnly()
  async read(): Promise<StatusJson> {
    return statusJson(await this.status.report());
  }
}
