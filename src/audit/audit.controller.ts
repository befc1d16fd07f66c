import { Optional, Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { ValidatedQuery } from '../errors/validation.pipe';
import { AuditPageResponse } from './audit.api';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { AdminOnly, ServiceKeyGuard } from '../access/service-key.guard';
import { normalizeClientId } from '../brokers/client-id';
import { Accounts } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';

const POCKETFUL_DEFAULT = new Accounts('pocketful');
import { formatIst } from '../clock/ist-time';
import { AuditAction, AuditLog } from './audit-log';
import { AuditQueryDto } from './audit-query.dto';

@Controller('v1/audit')
@ApiTags('audit')
@ApiBearerAuth('serviceKey')
@UseGuards(ServiceKeyGuard, RateLimitGuard)
export class AuditController {
  constructor(
    private readonly log: AuditLog,
    @Optional() private readonly brokers?: BrokersSettings,
  ) {}

  /** Newest first, what was done and what was refused merged, filtered; `next` pages on to older entries. */
  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first, filtered and paged (admin clients)' })
  @ApiOkResponse({ type: AuditPageResponse })
  @ApiErrors('invalid_request', 'unauthorized', 'clients_file_unusable', 'forbidden', 'rate_limited', 'store_unavailable')
  @AdminOnly()
  async list(@ValidatedQuery() query: AuditQueryDto) {
    const page = await this.log.page({
      // An unknown broker's account matches nothing, as an unknown id does.
      account: query.account === undefined ? undefined : ((this.brokers?.accounts ?? POCKETFUL_DEFAULT).parse(query.account) ?? normalizeClientId(query.account)),
      client: query.client,
      actions: query.action === undefined ? undefined : (query.action.split(',') as AuditAction[]),
      kind: query.kind,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
      before: query.before,
      limit: query.limit ?? 100,
    });
    return {
      entries: page.entries.map(({ at, ...entry }) => ({ ...entry, at: formatIst(at) })),
      next: page.next,
    };
  }
}
